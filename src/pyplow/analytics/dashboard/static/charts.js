// pyplow's small charting library: SVG line charts and horizontal bar lists, no dependencies.
// Charts.line(el, {labels, series: [{name, values, color}], format})
// Charts.bars(el, rows: [{label, value}], {format})
"use strict";
(function (global) {
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#2f6fdb", "#d1453b", "#2e9e6b", "#b7791f", "#7b61c9"];

  function node(name, attrs, parent) {
    const el = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
    if (parent) parent.appendChild(el);
    return el;
  }

  // A "nice" axis maximum and step: 1, 2 or 5 times a power of ten.
  function niceScale(max, ticks) {
    if (!(max > 0)) return { max: 1, step: 1 / ticks };
    const raw = max / ticks;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    return { max: step * Math.ceil(max / step), step };
  }

  function plain(value) {
    if (typeof value !== "number") return String(value);
    return Number.isInteger(value) ? value.toLocaleString("en") : value.toFixed(2);
  }

  function line(el, spec) {
    const format = spec.format || plain;
    const width = 640, height = 236, left = 48, right = 12, top = 28, bottom = 34;
    const labels = spec.labels || [];
    const series = spec.series || [];
    el.textContent = "";
    el.classList.add("chart");
    if (!labels.length) {
      el.textContent = "No data in this range.";
      return;
    }
    const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" }, el);
    node("title", {}, svg).textContent = spec.title || series.map((s) => s.name).join(", ");
    const all = series.flatMap((s) => s.values);
    const scale = niceScale(Math.max(0, ...all), 4);
    const plotW = width - left - right, plotH = height - top - bottom;
    const x = (i) => left + (labels.length === 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
    const y = (v) => top + plotH - (v / scale.max) * plotH;
    for (let v = 0; v <= scale.max + scale.step / 2; v += scale.step) {
      node("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), class: "axis" }, svg);
      const tick = node("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, svg);
      tick.textContent = format(Math.round(v * 1000) / 1000);
    }
    const shown = new Set([0, Math.floor((labels.length - 1) / 2), labels.length - 1]);
    labels.forEach((label, i) => {
      if (!shown.has(i)) return;
      const anchor = i === 0 ? "start" : i === labels.length - 1 ? "end" : "middle";
      const t = node("text", { x: x(i), y: height - 12, "text-anchor": anchor, class: "tick" }, svg);
      t.textContent = label;
    });
    series.forEach((s, n) => {
      const color = s.color || PALETTE[n % PALETTE.length];
      const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ");
      node("polyline", { points, fill: "none", stroke: color, "stroke-width": 2 }, svg);
      s.values.forEach((v, i) => {
        const dot = node("circle", { cx: x(i), cy: y(v), r: labels.length > 60 ? 1.5 : 3, fill: color }, svg);
        node("title", {}, dot).textContent = `${s.name}, ${labels[i]}: ${format(v)}`;
      });
      const legend = node("text", { x: left + n * 140, y: 14, fill: color, class: "legend" }, svg);
      legend.textContent = s.name;
    });
  }

  function bars(el, rows, options) {
    const format = (options && options.format) || plain;
    el.textContent = "";
    if (!rows.length) {
      el.textContent = "No data in this range.";
      return;
    }
    const max = Math.max(...rows.map((r) => r.value), 1);
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "bar-row";
      const label = document.createElement("span");
      label.textContent = row.label;
      label.title = row.label;
      const track = document.createElement("span");
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.display = "block";
      bar.style.width = `${(100 * row.value) / max}%`;
      track.appendChild(bar);
      const value = document.createElement("span");
      value.className = "num";
      value.textContent = format(row.value);
      line.append(label, track, value);
      el.appendChild(line);
    }
  }

  global.Charts = { line, bars, niceScale };
})(window);
