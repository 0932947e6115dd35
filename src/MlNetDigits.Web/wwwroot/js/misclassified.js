// The test images a model gets wrong: true and predicted digit, confidence and every probability. The server scores the
// test split once per model version in the background; this page polls until it is done.
"use strict";

(async () => {
  const query = Digits.query();
  const digit = query.digit || "";
  const page = query.page || "1";
  const source = document.getElementById("source");
  const summary = document.getElementById("summary");
  const message = document.getElementById("message");
  const grid = document.getElementById("grid");
  const info = document.getElementById("pageinfo");
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");

  const models = await Digits.request("api/models");
  const names = models.ok ? models.body.map(m => m.name) : [];
  const model = query.model || (models.ok ? (models.body.find(m => m.status === "ready") || models.body[0] || {}).name : "") || "";
  const modelBar = document.getElementById("models");
  for (const name of names)
    modelBar.append(Digits.el("a", { class: "button chip", href: Digits.link({ model: name, page: null }), ariaCurrent: name === model ? "true" : null, text: name, dataTestid: `model-${name}` }));
  const digits = document.getElementById("digits");
  for (const d of ["", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    digits.append(Digits.el("a", { class: "button chip", href: Digits.link({ digit: d || null, page: null }), ariaCurrent: d === digit ? "true" : null, text: d ? `true ${d}` : "all", dataTestid: `digit-${d || "all"}` }));

  const dataset = await Digits.request("api/dataset");
  if (dataset.ok) {
    source.textContent = `Test split of ${dataset.body.name === "mnist" ? "MNIST" : "the committed sample"}.`;
    if (dataset.body.note) { source.textContent += " " + dataset.body.note; source.classList.add("note"); }
  }

  const url = `api/misclassified?model=${encodeURIComponent(model)}&page=${encodeURIComponent(page)}` + (digit ? `&digit=${encodeURIComponent(digit)}` : "");
  let answer;
  for (;;) {
    answer = await Digits.request(url);
    if (!answer.ok || answer.body.status !== "scoring") break;
    summary.textContent = `Scoring the test split with ${model}: ${answer.body.done.toLocaleString("en")} of ${answer.body.total.toLocaleString("en")}...`;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  if (!answer.ok) {
    message.hidden = false;
    message.textContent = Digits.problemText(answer.body);
    Digits.setLink(prev, null);
    Digits.setLink(next, null);
    summary.textContent = "";
    document.body.dataset.state = "error";
    return;
  }
  const body = answer.body;
  summary.textContent = `${body.model} (v ${body.modelVersion}) gets ${body.misclassified.toLocaleString("en")} of ${body.tested.toLocaleString("en")} test images wrong: accuracy ${(100 * body.accuracy).toFixed(2)}%.`;
  info.textContent = `Page ${body.page} of ${body.pageCount} · ${body.total.toLocaleString("en")} shown` + (body.digit !== null ? ` (true digit ${body.digit})` : "");
  Digits.setLink(prev, body.page > 1 ? Digits.link({ page: body.page - 1 }) : null);
  Digits.setLink(next, body.page < body.pageCount ? Digits.link({ page: body.page + 1 }) : null);
  if (body.items.length === 0) { message.hidden = false; message.textContent = "No misclassified images here."; }
  grid.replaceChildren(...body.items.map(item => {
    const bars = Digits.el("ol", { class: "mini", start: 0 });
    item.probabilities.forEach((p, i) => {
      const fill = Digits.el("div", { class: "fill" });
      fill.style.height = (100 * p).toFixed(1) + "%";
      const kind = i === item.label ? "truth-bar" : i === item.predicted ? "wrong-bar" : "";
      bars.append(Digits.el("li", { class: kind, title: `${i}: ${Digits.percent(p)}` }, Digits.el("div", { class: "track" }, fill), Digits.el("span", { text: String(i) })));
    });
    return Digits.el("li", { dataIndex: item.index, dataTestid: "item" },
      Digits.el("img", { src: `api/dataset/test/${item.index}.png`, alt: `test image ${item.index}`, loading: "lazy", width: 28, height: 28 }),
      Digits.el("div", {},
        Digits.el("div", {}, Digits.el("span", { class: "truth", text: `true ${item.label}` }), " → ",
          Digits.el("span", { class: "wrong", text: `${item.predicted}`, dataTestid: "predicted" }), ` (${Digits.percent(item.confidence)})`),
        Digits.el("div", { class: "label", text: `#${item.index}` }),
        bars));
  }));
  document.body.dataset.state = "ready";
})();
