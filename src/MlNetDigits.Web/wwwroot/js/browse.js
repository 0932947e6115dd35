// The dataset browser: train or test images in pages of 100, a per-digit filter and previous/next links; the state lives
// in the query string (?split=test&digit=3&page=2) so every view has a link. A page or digit that does not exist shows
// the server's explanation instead of images.
"use strict";

(async () => {
  const query = Digits.query();
  const split = query.split || "train";
  const digit = query.digit || "";
  const page = query.page || "1";
  const source = document.getElementById("source");
  const message = document.getElementById("message");
  const grid = document.getElementById("grid");
  const info = document.getElementById("pageinfo");

  const splits = document.getElementById("splits");
  for (const s of ["train", "test"])
    splits.append(Digits.el("a", { class: "button chip", href: Digits.link({ split: s, page: null }), ariaCurrent: s === split ? "true" : null, text: s, dataTestid: `split-${s}` }));
  const digits = document.getElementById("digits");
  for (const d of ["", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    digits.append(Digits.el("a", { class: "button chip", href: Digits.link({ digit: d || null, page: null }), ariaCurrent: d === digit ? "true" : null, text: d || "all", dataTestid: `digit-${d || "all"}` }));

  const dataset = await Digits.request("api/dataset");
  if (dataset.ok) {
    const counts = dataset.body.splits.map(s => `${s.count.toLocaleString("en")} ${s.split}`).join(", ");
    source.textContent = `Data set: ${dataset.body.description} (${counts} images).`;
    if (dataset.body.note) {
      source.textContent += " " + dataset.body.note;
      source.classList.add("note");
    }
  }

  const url = `api/dataset/${encodeURIComponent(split)}?page=${encodeURIComponent(page)}` + (digit ? `&digit=${encodeURIComponent(digit)}` : "");
  const answer = await Digits.request(url);
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  if (!answer.ok) {
    message.hidden = false;
    message.textContent = Digits.problemText(answer.body);
    info.textContent = "";
    Digits.setLink(prev, null);
    Digits.setLink(next, Digits.link({ page: null }) === location.pathname + location.search ? null : Digits.link({ page: null }));
    next.textContent = "First page";
    document.body.dataset.state = "error";
    return;
  }
  const body = answer.body;
  info.textContent = `Page ${body.page} of ${body.pageCount} · ${body.total.toLocaleString("en")} images` + (body.digit !== null ? ` of digit ${body.digit}` : "");
  Digits.setLink(prev, body.page > 1 ? Digits.link({ page: body.page - 1 }) : null);
  Digits.setLink(next, body.page < body.pageCount ? Digits.link({ page: body.page + 1 }) : null);
  if (body.items.length === 0) {
    message.hidden = false;
    message.textContent = "No images here.";
  }
  grid.replaceChildren(...body.items.map(item => Digits.el("li", { dataIndex: item.index, dataLabel: item.label, dataTestid: "item" },
    Digits.el("img", { src: `api/dataset/${body.split}/${item.index}.png`, alt: `${body.split} image ${item.index}, a ${item.label}`, loading: "lazy", width: 28, height: 28 }),
    Digits.el("span", { class: "label", text: `${item.label} · #${item.index}` }))));
  document.body.dataset.state = "ready";
})();
