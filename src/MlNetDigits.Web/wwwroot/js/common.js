// Shared helpers of the MlNetDigits pages: JSON requests that turn RFC 7807 problems into messages, and small DOM builders.
"use strict";

const Digits = {
  /** GET or POST JSON; resolves to {ok, status, body}; a problem details body keeps its title and detail. */
  async request(url, init) {
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      return { ok: false, status: 0, body: { title: "Network error", detail: String(e) } };
    }
    let body = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) {
      try { body = await response.json(); } catch { body = null; }
    }
    if (!response.ok && !body) body = { title: response.statusText || "Error", detail: `HTTP ${response.status}` };
    return { ok: response.ok, status: response.status, body };
  },

  /** The text of a problem details body. */
  problemText(body) {
    if (!body) return "Something went wrong.";
    return body.detail ? `${body.title}: ${body.detail}` : (body.title || "Something went wrong.");
  },

  /** document.createElement with attributes, properties and children. */
  el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("data") || key.startsWith("aria") || key === "href" || key === "src" || key === "alt" || key === "title" || key === "role")
        node.setAttribute(key.replace(/[A-Z]/g, c => "-" + c.toLowerCase()), value);
      else node[key] = value;
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  },

  /** The query string as an object. */
  query() {
    return Object.fromEntries(new URLSearchParams(location.search).entries());
  },

  /** A link to the current page with some query parameters changed (null removes one). */
  link(changes) {
    const params = new URLSearchParams(location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === undefined || value === "") params.delete(key);
      else params.set(key, value);
    }
    const query = params.toString();
    return location.pathname + (query ? "?" + query : "");
  },

  /** Turns a pager link on (href) or off. */
  setLink(node, href) {
    if (href) { node.href = href; node.removeAttribute("aria-disabled"); }
    else { node.removeAttribute("href"); node.setAttribute("aria-disabled", "true"); }
  },

  /**
   * A probability as a percentage that never rounds up to "100 %": one decimal, or as many more (up to four) as it takes
   * to stay below 100 ("99.96 %"), or "> 99.9999 %"; only exactly 1 is "100 %". The server's ConfidenceFormat.Percent.
   */
  percent(p) {
    if (Number.isNaN(p)) return "NaN";
    const value = 100 * Math.min(1, Math.max(0, p));
    if (value >= 100) return "100 %";
    for (let decimals = 1; decimals <= 4; decimals++) {
      const text = value.toFixed(decimals);
      if (!text.startsWith("100")) return text + " %";
    }
    return "> 99.9999 %";
  },

  /**
   * A short percentage for narrow columns (probability bars): one decimal, but ">99.9%" rather than rounding up to 100,
   * and "<0.1%" rather than rounding a probability above 0 down to 0; only exactly 1 and 0 are "100%" and "0%".
   */
  shortPercent(p) {
    if (Number.isNaN(p)) return "NaN";
    if (p >= 1) return "100%";
    if (p <= 0) return "0%";
    const text = (100 * p).toFixed(1);
    if (text.startsWith("100")) return ">99.9%";
    if (text === "0.0") return "<0.1%";
    return text + "%";
  },
};
