// The draw page: Pointer Events on a canvas (mouse, touch, pen), strokes kept for undo, and a debounced POST of the
// canvas as a PNG to /api/compare while drawing; every model's probabilities are shown side by side.
"use strict";

(() => {
  const canvas = document.getElementById("pad");
  const context = canvas.getContext("2d");
  const results = document.getElementById("results");
  const seen = document.getElementById("seen");
  const status = document.getElementById("status");
  const strokes = [];        // each stroke: [{x, y}, ...] in canvas pixels
  let current = null;        // the stroke being drawn
  let timer = 0;             // debounce timer
  let inFlight = false;      // one request at a time...
  let dirty = false;         // ...and another once it returns if the drawing changed meanwhile
  let sequence = 0;          // answers to older drawings are dropped
  let revision = 0;          // bumped on every change; body[data-answered] says which revision the answer shown is for
  const debounceMs = 90;

  const lineWidth = () => canvas.width / 14;

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

  function schedule() {
    document.body.dataset.revision = String(++revision);
    clearTimeout(timer);
    timer = setTimeout(send, debounceMs);
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
    document.body.dataset.pending = "true";
    try {
      const blob = await new Promise(resolve => canvas.toBlob(resolve, "image/png"));
      const answer = await Digits.request("api/compare", { method: "POST", headers: { "Content-Type": "image/png" }, body: blob });
      if (mine !== sequence) return;
      if (!answer.ok) {
        status.textContent = Digits.problemText(answer.body);
        status.classList.add("error");
        return;
      }
      status.classList.remove("error");
      show(answer.body);
      document.body.dataset.answered = String(drawn);
    } finally {
      inFlight = false;
      if (dirty) schedule();
      else delete document.body.dataset.pending;
    }
  }

  function showEmpty() {
    seen.removeAttribute("src");
    status.classList.remove("error");
    status.textContent = "Draw a digit.";
    for (const panel of results.querySelectorAll(".model")) panel.replaceWith(panelFor(panel.dataset.model, null, null));
    document.body.dataset.state = "empty";
  }

  function show(body) {
    seen.src = body.image;
    status.textContent = body.hasInk ? "" : "The drawing is too faint: nothing counts as ink yet.";
    results.replaceChildren(...body.models.map(m => panelFor(m.name, m, body.hasInk)));
    document.body.dataset.state = "answered";
  }

  /** One model's panel: its answer and ten probability bars (or why the model is missing). */
  function panelFor(name, entry, hasInk) {
    const panel = Digits.el("article", { class: "model", dataModel: name, dataTestid: `model-${name}` });
    const prediction = entry && entry.prediction;
    panel.append(Digits.el("h2", {},
      Digits.el("span", { text: name.toUpperCase() }),
      Digits.el("span", { class: "version", text: prediction ? `v ${prediction.modelVersion}` : "" })));
    if (entry && !entry.available) {
      panel.classList.add("missing");
      panel.append(Digits.el("p", { text: entry.error || "This model is not loaded.", dataTestid: `missing-${name}` }));
      return panel;
    }
    const answer = Digits.el("div", { class: "answer" },
      Digits.el("span", { class: "digit", text: prediction && hasInk ? prediction.digit : "–", dataTestid: `digit-${name}` }),
      Digits.el("span", { class: "confidence", text: prediction && hasInk ? Digits.percent(prediction.confidence) : "" }),
      prediction && hasInk && prediction.unsure ? Digits.el("span", { class: "unsure", text: "unsure", dataTestid: `unsure-${name}` }) : null);
    panel.append(answer);
    // Why the answer should not be trusted, as text: a tooltip is out of reach on a phone.
    if (prediction && hasInk && prediction.unsure)
      panel.append(Digits.el("p", { class: "reason", text: prediction.unsureReason, dataTestid: `reason-${name}` }));
    const bars = Digits.el("ol", { class: "bars", start: 0 });
    const classes = prediction ? prediction.classes : ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    classes.forEach((cls, i) => {
      const p = prediction && hasInk ? prediction.probabilities[i] : 0;
      const fill = Digits.el("div", { class: "fill" });
      fill.style.width = (100 * p).toFixed(1) + "%";
      bars.append(Digits.el("li", { class: prediction && hasInk && cls === prediction.digit ? "best" : "", dataClass: cls },
        Digits.el("span", { text: cls }),
        Digits.el("div", { class: "track" }, fill),
        Digits.el("span", { class: "value", text: prediction && hasInk ? Digits.percent(p) : "" })));
    });
    panel.append(bars);
    return panel;
  }

  async function loadModels() {
    const answer = await Digits.request("api/models");
    if (!answer.ok) return;
    results.replaceChildren(...answer.body.map(m => panelFor(m.name, m.status === "ready" ? null : { available: false, error: m.error }, null)));
    document.body.dataset.ready = "true";
  }

  paint();
  loadModels();
})();
