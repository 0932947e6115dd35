// The draw page: Pointer Events on a canvas (mouse, touch, pen), strokes kept for undo, and a debounced POST of the
// canvas as a PNG while drawing. "One digit" mode sends it to /api/compare and shows every model's probabilities side by
// side, each answer with a way to say what the digit really was (POST /api/corrections, with the very drawing that was
// answered). "A number" mode draws on a wide canvas, sends it to /api/read-number and shows the number read, a box over
// each digit found and each digit's probabilities.
"use strict";

(() => {
  const main = document.getElementById("main");
  const canvas = document.getElementById("pad");
  const context = canvas.getContext("2d");
  const boxes = document.getElementById("boxes");
  const results = document.getElementById("results");
  const seen = document.getElementById("seen");
  const status = document.getElementById("status");
  const title = document.getElementById("title");
  const hint = document.getElementById("hint");
  const modeButtons = [...document.querySelectorAll(".modes button")];

  const modes = {
    digit: {
      width: 280, height: 280, title: "Draw a digit", empty: "Draw a digit.",
      hint: "Draw one digit, 0 to 9, with the mouse, a finger or a pen. The models answer while you draw.",
    },
    number: {
      width: 840, height: 280, title: "Draw a number", empty: "Draw a number.",
      hint: "Draw several digits side by side on one line, a little apart. The number is read while you draw.",
    },
  };
  const reasons = { blank: "blank", dot: "a dot", tooLittleInk: "too little ink", notDigitLike: "not digit-like" };
  const strokesOf = { digit: [], number: [] };   // each mode keeps its own drawing
  let mode = "digit";
  let strokes = strokesOf.digit; // each stroke: [{x, y}, ...] in canvas pixels
  let current = null;        // the stroke being drawn
  let timer = 0;             // debounce timer
  let inFlight = false;      // one request at a time...
  let dirty = false;         // ...and another once it returns if the drawing changed meanwhile
  let sequence = 0;          // answers to older drawings (or the other mode) are dropped
  let revision = 0;          // bumped on every change; body[data-answered] says which revision the answer shown is for
  let models = [];           // what GET api/models said: [{name, status, error}, ...]
  const debounceMs = 90;

  const lineWidth = () => canvas.height / 14;

  function paint() {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.strokeStyle = "#000";
    context.fillStyle = "#000";
    context.lineCap = "round";
    context.lineJoin = "round";
    context.lineWidth = lineWidth();
    for (const stroke of strokes) drawStroke(stroke);
    if (current) drawStroke(current);
  }

  function drawStroke(points) {
    if (points.length === 1) {
      context.beginPath();
      context.arc(points[0].x, points[0].y, lineWidth() / 2, 0, 2 * Math.PI);
      context.fill();
      return;
    }
    context.beginPath();
    context.moveTo(points[0].x, points[0].y);
    for (let i = 1; i < points.length; i++) context.lineTo(points[i].x, points[i].y);
    context.stroke();
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * canvas.width / box.width,
      y: (event.clientY - box.top) * canvas.height / box.height,
    };
  }

  canvas.addEventListener("pointerdown", event => {
    if (event.button !== 0 && event.pointerType === "mouse") return;
    event.preventDefault();
    try { canvas.setPointerCapture(event.pointerId); } catch { /* a synthetic or already released pointer */ }
    current = [point(event)];
    paint();
    schedule();
  });

  canvas.addEventListener("pointermove", event => {
    if (!current) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const e of events.length ? events : [event]) current.push(point(e));
    paint();
    schedule();
  });

  function finish(event) {
    if (!current) return;
    try { if (event && canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId); } catch { /* not captured */ }
    strokes.push(current);
    current = null;
    paint();
    schedule();
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);

  document.getElementById("undo").addEventListener("click", () => {
    strokes.pop();
    paint();
    schedule();
  });

  document.getElementById("clear").addEventListener("click", () => {
    strokes.length = 0;
    current = null;
    paint();
    schedule();
  });

  /** Switches between "digit" and "number": the canvas's size, the texts and the answers; each mode keeps its strokes. */
  function setMode(next) {
    mode = next;
    strokes = strokesOf[mode];
    current = null;
    const m = modes[mode];
    canvas.width = m.width;
    canvas.height = m.height;
    main.dataset.mode = mode;
    title.textContent = m.title;
    hint.textContent = m.hint;
    document.title = `${m.title} · MlNetDigits`;
    for (const button of modeButtons) button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
    sequence++; // an answer on its way for the other mode is not shown
    showEmpty();
    paint();
    schedule();
  }

  for (const button of modeButtons)
    button.addEventListener("click", () => {
      if (button.dataset.mode === mode) return;
      setMode(button.dataset.mode);
      history.replaceState(null, "", Digits.link({ mode: mode === "number" ? "number" : null }));
    });

  function schedule() {
    document.body.dataset.revision = String(++revision);
    clearTimeout(timer);
    timer = setTimeout(send, debounceMs);
  }

  /** The model that reads numbers: the first one served (the CNN unless configured otherwise). */
  function numberReader() {
    const ready = models.find(m => m.status === "ready");
    return ready ? ready.name : null;
  }

  async function send() {
    if (inFlight) { dirty = true; return; }
    if (strokes.length === 0 && !current) {
      sequence++;
      showEmpty();
      document.body.dataset.answered = String(revision);
      return;
    }
    inFlight = true;
    dirty = false;
    const mine = ++sequence;
    const drawn = revision;
    const sentMode = mode;
    document.body.dataset.pending = "true";
    try {
      const blob = await new Promise(resolve => canvas.toBlob(resolve, "image/png"));
      const reader = numberReader();
      const url = sentMode === "number" ? `api/read-number?image=true${reader ? "&model=" + encodeURIComponent(reader) : ""}` : "api/compare";
      const answer = await Digits.request(url, { method: "POST", headers: { "Content-Type": "image/png" }, body: blob });
      if (mine !== sequence) return;
      if (!answer.ok) {
        status.textContent = Digits.problemText(answer.body);
        status.classList.add("error");
        return;
      }
      status.classList.remove("error");
      if (sentMode === "number") showNumber(answer.body);
      else show(answer.body, blob);
      document.body.dataset.answered = String(drawn);
    } finally {
      inFlight = false;
      if (dirty) schedule();
      else delete document.body.dataset.pending;
    }
  }

  function showEmpty() {
    seen.removeAttribute("src");
    boxes.replaceChildren();
    status.classList.remove("error");
    status.textContent = modes[mode].empty;
    if (mode === "number") results.replaceChildren(numberPanel(null));
    else results.replaceChildren(...models.map(m => panelFor(m.name, m.status === "ready" ? null : { available: false, error: m.error }, null, null)));
    document.body.dataset.state = "empty";
  }

  function show(body, blob) {
    seen.src = body.image;
    status.textContent = body.hasInk ? "" : "The drawing is too faint: nothing counts as ink yet.";
    results.replaceChildren(...body.models.map(m => panelFor(m.name, m, body.hasInk, blob)));
    document.body.dataset.state = "answered";
  }

  /**
   * One model's panel: its answer ("not a digit (a dot)" rather than a digit when the model says so), ten probability
   * bars, and "Wrong?" to say what the digit really was; or why the model is missing.
   */
  function panelFor(name, entry, hasInk, blob) {
    const panel = Digits.el("article", { class: "model", dataModel: name, dataTestid: `model-${name}` });
    const prediction = entry && entry.prediction;
    const shown = Boolean(prediction && hasInk);
    panel.append(Digits.el("h2", {},
      Digits.el("span", { text: name.toUpperCase() }),
      Digits.el("span", { class: "version", text: prediction ? `v ${prediction.modelVersion}` : "" })));
    if (entry && !entry.available) {
      panel.classList.add("missing");
      panel.append(Digits.el("p", { text: entry.error || "This model is not loaded.", dataTestid: `missing-${name}` }));
      return panel;
    }
    const answer = Digits.el("div", { class: "answer" });
    if (shown && !prediction.isDigit)
      answer.append(
        Digits.el("span", { class: "digit not-digit", text: "not a digit", dataTestid: `digit-${name}` }),
        Digits.el("span", { class: "confidence", text: `(${reasons[prediction.notADigitReason] || prediction.notADigitReason})`, dataTestid: `not-digit-${name}` }));
    else
      answer.append(
        Digits.el("span", { class: "digit", text: shown ? prediction.digit : "–", dataTestid: `digit-${name}` }),
        Digits.el("span", { class: "confidence", text: shown ? prediction.confidenceText : "", dataTestid: `confidence-${name}` }));
    if (shown && prediction.unsure) answer.append(Digits.el("span", { class: "unsure", text: "unsure", dataTestid: `unsure-${name}` }));
    panel.append(answer);
    if (shown && blob) panel.append(...correctionFor(name, prediction, { type: "image/png", body: async () => blob }, answer, name));
    // Why the answer should not be trusted, as text: a tooltip is out of reach on a phone.
    if (shown && prediction.unsure)
      panel.append(Digits.el("p", { class: "reason", text: prediction.unsureReason, dataTestid: `reason-${name}` }));
    panel.append(barsFor(shown ? prediction : null, prediction ? prediction.classes : null));
    return panel;
  }

  /** Ten probability bars; the answer's own is marked when it is a digit. */
  function barsFor(prediction, classes) {
    const bars = Digits.el("ol", { class: "bars", start: 0 });
    (classes || ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]).forEach((cls, i) => {
      const p = prediction ? prediction.probabilities[i] : 0;
      const fill = Digits.el("div", { class: "fill" });
      fill.style.width = (100 * p).toFixed(1) + "%";
      bars.append(Digits.el("li", { class: prediction && prediction.isDigit && cls === prediction.digit ? "best" : "", dataClass: cls },
        Digits.el("span", { text: cls }),
        Digits.el("div", { class: "track" }, fill),
        Digits.el("span", { class: "value", text: prediction ? Digits.shortPercent(p) : "" })));
    });
    return bars;
  }

  /**
   * "Wrong?" (in the answer's line) opens a row of digits; picking one stores a correction of this answer, sent with
   * `image` ({ type, body }: the drawing that was answered, or a digit's 28x28 pixels in number mode), and says how many
   * corrections there are. The drawing stays on the pad. `key` names the test ids (the model, or "digit-i").
   */
  function correctionFor(name, prediction, image, answer, key) {
    const wrong = Digits.el("button", { type: "button", class: "wrong", text: "Wrong?", ariaExpanded: "false", dataTestid: `wrong-${key}` });
    const picker = Digits.el("div", { class: "picker", role: "group", ariaLabel: `What the drawing really is (${name.toUpperCase()})`, hidden: true, dataTestid: `picker-${key}` },
      Digits.el("span", { text: "It was a" }));
    const message = Digits.el("p", { class: "saved", role: "status", dataTestid: `saved-${key}` });
    for (let digit = 0; digit <= 9; digit++)
      picker.append(Digits.el("button", { type: "button", class: "chip", text: String(digit), dataTestid: `label-${key}-${digit}` }));
    wrong.addEventListener("click", () => {
      picker.hidden = !picker.hidden;
      wrong.setAttribute("aria-expanded", String(!picker.hidden));
    });
    picker.addEventListener("click", async event => {
      const chosen = event.target.closest("button");
      if (!chosen) return;
      const buttons = [...picker.querySelectorAll("button")];
      for (const button of buttons) button.disabled = true;
      message.classList.remove("error");
      message.textContent = "Saving…";
      const query = new URLSearchParams({
        model: name,
        label: chosen.textContent,
        predicted: prediction.isDigit ? prediction.digit : "none",
        version: prediction.modelVersion,
      });
      const reply = await Digits.request(`api/corrections?${query}`, { method: "POST", headers: { "Content-Type": image.type }, body: await image.body() });
      if (reply.ok) {
        const count = reply.body.count;
        message.textContent = `Saved: it was a ${reply.body.label}. ${count.toLocaleString("en")} correction${count === 1 ? "" : "s"} so far.`;
        picker.hidden = true;
        wrong.disabled = true;
        wrong.setAttribute("aria-expanded", "false");
      } else {
        message.textContent = Digits.problemText(reply.body);
        message.classList.add("error");
        for (const button of buttons) button.disabled = false;
      }
    });
    answer.append(wrong);
    return [picker, message];
  }

  function showNumber(body) {
    seen.removeAttribute("src");
    status.textContent = body.digits.length === 0 ? "The drawing is too faint: nothing counts as ink yet." : "";
    results.replaceChildren(numberPanel(body));
    boxes.replaceChildren(...body.digits.map((d, i) => boxFor(d, i, body)));
    document.body.dataset.state = "answered";
  }

  /** A box over digit i in the drawing, placed in percentages of the canvas, labelled with what was read. */
  function boxFor(d, i, body) {
    const p = d.prediction;
    const node = Digits.el("div", { class: "box" + (p.isDigit ? "" : " not-digit") + (p.unsure ? " unsure" : ""), dataTestid: `box-${i}` },
      Digits.el("span", { text: p.isDigit ? p.digit : "?" }));
    node.style.left = (100 * d.box.x / body.width).toFixed(3) + "%";
    node.style.top = (100 * d.box.y / body.height).toFixed(3) + "%";
    node.style.width = (100 * d.box.width / body.width).toFixed(3) + "%";
    node.style.height = (100 * d.box.height / body.height).toFixed(3) + "%";
    return node;
  }

  /** The number read (or "–"), whether it is unsure and why, and one card per digit. */
  function numberPanel(body) {
    const reader = body ? body.model : (numberReader() || "");
    const panel = Digits.el("article", { class: "model number", dataTestid: "number" },
      Digits.el("h2", {},
        Digits.el("span", { text: reader ? `Number read by ${reader.toUpperCase()}` : "Number" }),
        Digits.el("span", { class: "version", text: body ? `v ${body.modelVersion}` : "" })));
    panel.append(Digits.el("div", { class: "answer" },
      Digits.el("span", { class: "digit number-text", text: body && body.text ? body.text : "–", dataTestid: "number-text" }),
      body && body.unsure ? Digits.el("span", { class: "unsure", text: "unsure", dataTestid: "number-unsure" }) : null));
    if (body && body.unsure)
      panel.append(Digits.el("ul", { class: "reason reasons", dataTestid: "number-reasons" }, ...body.unsureReasons.map(r => Digits.el("li", { text: r }))));
    if (body && body.digits.length)
      panel.append(Digits.el("ol", { class: "number-digits" }, ...body.digits.map((d, i) => digitCard(d, i, body.model))));
    return panel;
  }

  function digitCard(d, i, reader) {
    const p = d.prediction;
    const answer = Digits.el("div", { class: "answer" },
      p.image ? Digits.el("img", { class: "mini-seen", src: p.image, alt: `Digit ${i + 1} as the model sees it` }) : null,
      Digits.el("span", { class: "digit", text: p.isDigit ? p.digit : "?" }),
      Digits.el("span", { class: "confidence", text: p.isDigit ? p.confidenceText : `not a digit (${reasons[p.notADigitReason] || p.notADigitReason})` }),
      p.unsure ? Digits.el("span", { class: "unsure", text: "unsure" }) : null);
    const card = Digits.el("li", { class: "number-digit", dataTestid: `number-digit-${i}` }, answer);
    // A digit of a number is corrected with the 28x28 pixels its model saw (MNIST format, "preprocess": false), so the
    // server classifies exactly what was answered.
    if (p.image && reader)
      card.append(...correctionFor(reader, p, { type: "application/json", body: () => mnistPixelsJson(p.image) }, answer, `digit-${i}`));
    card.append(
      Digits.el("p", { class: "segment", text: `cut ${Digits.percent(d.segmentationConfidence)} sure${d.wasSplit ? ", split from touching ink" : ""}` }),
      barsFor(p, p.classes));
    return card;
  }

  /** The gray values of a 28x28 PNG data URL as the JSON body of an MNIST-format image ({"pixels": [...], "preprocess": false}). */
  async function mnistPixelsJson(dataUrl) {
    const picture = new Image();
    picture.src = dataUrl;
    await picture.decode();
    const scratch = document.createElement("canvas");
    scratch.width = 28;
    scratch.height = 28;
    const context = scratch.getContext("2d", { willReadFrequently: true });
    context.drawImage(picture, 0, 0);
    const rgba = context.getImageData(0, 0, 28, 28).data;
    const pixels = Array.from({ length: 28 * 28 }, (_, k) => rgba[4 * k]);
    return JSON.stringify({ width: 28, height: 28, pixels, preprocess: false });
  }

  async function loadModels() {
    const answer = await Digits.request("api/models");
    if (!answer.ok) return;
    models = answer.body.map(m => ({ name: m.name, status: m.status, error: m.error }));
    if (Digits.query().mode === "number") setMode("number");
    else showEmpty();
    document.body.dataset.ready = "true";
  }

  paint();
  loadModels();
})();
