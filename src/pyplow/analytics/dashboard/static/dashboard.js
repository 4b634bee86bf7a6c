// The pyplow dashboard: one page per hash (#overview?start=…&end=…), each drawn from
// /dashboard/api/<page>. Every figure carries data-metric / data-table for tests and scripts.
"use strict";
(function () {
  const main = document.getElementById("page");
  const form = document.getElementById("range");
  let timer = null;

  function plain(v) {
    if (typeof v !== "number") return String(v);
    return Number.isInteger(v) ? v.toLocaleString("en") : v.toLocaleString("en", { maximumFractionDigits: 2 });
  }
  const percent = (v) => `${(100 * v).toFixed(1)}%`;
  const seconds = (v) => (v === null || v === undefined ? "–" : `${plain(v)} s`);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
    return e;
  }

  function kpis(items) {
    return el("div", { class: "kpis" }, ...items.map(([key, label, text]) =>
      el("div", { class: "kpi", "data-metric": key },
        el("span", { class: "value" }, text), el("span", { class: "label" }, label))));
  }

  // columns: [key, heading, formatter?, numeric?]
  function table(name, columns, rows) {
    const head = el("tr", {}, ...columns.map(([, h, , num]) => el("th", { class: num ? "num" : "" }, h)));
    const body = rows.map((row) => el("tr", {}, ...columns.map(([key, , fmt, num]) =>
      el("td", { class: num ? "num" : "", "data-column": key },
        fmt ? fmt(row[key], row) : row[key] ?? "–"))));
    if (!rows.length) body.push(el("tr", {}, el("td", { colspan: columns.length, class: "muted" }, "Nothing in this range.")));
    return el("table", { "data-table": name }, el("thead", {}, head), el("tbody", {}, ...body));
  }

  function card(title, ...content) {
    return el("div", { class: "card" }, el("h2", {}, title), ...content);
  }

  function chart(draw) {
    const box = el("div", { class: "chart" });
    draw(box);
    return box;
  }

  const breakdown = (name, rows) => chart((box) => {
    box.setAttribute("data-table", name);
    Charts.bars(box, rows.map((r) => ({ label: r.name ?? "(none)", value: r.sessions })));
  });

  const PAGES = {
    realtime: {
      title: "Realtime", ranged: false, refresh: 5000,
      render: (d) => [
        kpis([
          ["visitors", `Visitors, last ${d.minutes} minutes`, plain(d.visitors)],
          ["events", `Events, last ${d.minutes} minutes`, plain(d.events)],
          ["events_per_second", "Events per second", plain(d.events_per_second)],
        ]),
        card("Events per second", chart((box) => Charts.line(box, {
          labels: d.series.map(([t]) => t.slice(11, 19)),
          series: [{ name: "events/s", values: d.series.map(([, v]) => v) }],
        }))),
      ],
    },
    overview: {
      title: "Overview", ranged: true,
      render: (d) => [
        kpis([
          ["page_views", "Page views", plain(d.page_views)],
          ["sessions", "Sessions", plain(d.sessions)],
          ["users", "Users", plain(d.users)],
          ["bounce_rate", "Bounce rate", percent(d.bounce_rate)],
          ["avg_engaged_time_s", "Engaged time per session", seconds(d.avg_engaged_time_s)],
        ]),
        card("Per day", chart((box) => Charts.line(box, {
          labels: d.daily.map(([day]) => day),
          series: [
            { name: "page views", values: d.daily.map(([, v]) => v) },
            { name: "sessions", values: d.daily.map(([, , s]) => s) },
          ],
        })), table("daily", [["day", "Day"], ["page_views", "Page views", plain, true], ["sessions", "Sessions", plain, true]],
          d.daily.map(([day, page_views, sessions]) => ({ day, page_views, sessions })))),
      ],
    },
    pages: {
      title: "Top pages", ranged: true,
      render: (d) => [card("Top pages", table("pages", [
        ["host", "Host"], ["path", "Path"], ["page_views", "Page views", plain, true],
        ["sessions", "Sessions", plain, true], ["avg_engaged_time_s", "Engaged (avg)", seconds, true],
        ["avg_scroll_pct", "Scroll (avg)", (v) => (v === null ? "–" : `${v}%`), true],
      ], d.pages))],
    },
    acquisition: {
      title: "Referrers and campaigns", ranged: true,
      render: (d) => [el("div", { class: "grid" },
        card("Sessions by channel", breakdown("channels", d.channels)),
        card("Referring sites", table("referrers", [["name", "Host"], ["sessions", "Sessions", plain, true]], d.referrers)),
        card("Campaigns", table("campaigns", [["name", "Campaign (source / medium)"], ["sessions", "Sessions", plain, true]], d.campaigns)))],
    },
    geography: {
      title: "Geography", ranged: true,
      render: (d) => [el("div", { class: "grid" },
        card("Sessions by country", breakdown("countries", d.countries)),
        card("Cities", table("cities", [["name", "City"], ["sessions", "Sessions", plain, true]], d.cities)))],
    },
    technology: {
      title: "Devices and browsers", ranged: true,
      render: (d) => [el("div", { class: "grid" },
        card("Devices", breakdown("devices", d.devices)),
        card("Browsers", breakdown("browsers", d.browsers)),
        card("Operating systems", breakdown("systems", d.systems)))],
    },
    explorer: {
      title: "Events explorer", ranged: false, refresh: 10000,
      render: (d) => [
        card("Latest events", table("events", [
          ["collector_tstamp", "Collected"], ["event_name", "Event"], ["app_id", "App"],
          ["page_url", "Page"], ["domain_userid", "User (cookie)"], ["event_id", "Event id"],
        ], d.events)),
        card("Latest bad rows", table("bad_rows", [
          ["load_tstamp", "Loaded"], ["type", "Type"],
          ["messages", "Why", (m) => el("div", { class: "bad" }, ...(m || []).map((t) => el("div", {}, t)))],
        ], d.bad_rows)),
      ],
    },
    quality: {
      title: "Data quality", ranged: true,
      render: (d) => {
        const hours = [...new Set([...d.good, ...d.bad].map((r) => r.hour))].sort();
        const sum = (rows, h) => rows.filter((r) => r.hour === h).reduce((a, r) => a + r.count, 0);
        const bySchema = (rows) => Object.entries(rows.reduce((acc, r) => {
          acc[r.schema] = (acc[r.schema] || 0) + r.count;
          return acc;
        }, {})).map(([schema, count]) => ({ schema, count })).sort((a, b) => b.count - a.count);
        return [
          kpis([
            ["good_total", "Good events", plain(d.good_total)],
            ["bad_total", "Bad rows", plain(d.bad_total)],
            ["seconds_since_last_load", "Seconds since the last load", seconds(d.seconds_since_last_load)],
            ["avg_load_latency_s_last_hour", "Collector → table, last hour", seconds(d.avg_load_latency_s_last_hour)],
          ]),
          card("Good and bad per hour loaded", chart((box) => Charts.line(box, {
            labels: hours.map((h) => h.slice(0, 13).replace("T", " ")),
            series: [
              { name: "good", values: hours.map((h) => sum(d.good, h)) },
              { name: "bad", values: hours.map((h) => sum(d.bad, h)), color: "#d1453b" },
            ],
          }))),
          el("div", { class: "grid" },
            card("Good events by schema", table("good_by_schema", [["schema", "Schema"], ["count", "Events", plain, true]], bySchema(d.good))),
            card("Bad rows by type", table("bad_by_schema", [["schema", "Schema"], ["count", "Rows", plain, true]], bySchema(d.bad)))),
        ];
      },
    },
  };

  function route() {
    const [name, query] = (location.hash.slice(1) || "overview").split("?");
    return { name: PAGES[name] ? name : "overview", params: new URLSearchParams(query || "") };
  }

  async function show() {
    clearTimeout(timer);
    const { name, params } = route();
    const page = PAGES[name];
    document.title = `${page.title} · pyplow`;
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.getAttribute("href") === `#${name}`);
    form.classList.toggle("hidden", !page.ranged);
    for (const key of ["start", "end"]) form.elements[key].value = params.get(key) || "";
    const api = new URLSearchParams();
    for (const key of ["start", "end"]) if (params.get(key)) api.set(key, params.get(key));
    let content;
    try {
      const response = await fetch(`api/${name}?${api}`, { credentials: "same-origin" });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || response.statusText);
      if (!params.get("start") && data.range) {
        form.elements.start.value = data.range.start.slice(0, 10);
        const end = new Date(`${data.range.end.slice(0, 10)}T00:00:00Z`);
        end.setUTCDate(end.getUTCDate() - 1);
        form.elements.end.value = end.toISOString().slice(0, 10);
      }
      content = data.notice ? [el("p", { class: "notice", "data-notice": "" }, data.notice)] : page.render(data);
      document.body.removeAttribute("data-error");
    } catch (error) {
      content = [el("p", { class: "error" }, `Could not load ${page.title}: ${error.message}`)];
      document.body.setAttribute("data-error", error.message);
    }
    if (route().name !== name) return; // the user moved on meanwhile
    main.replaceChildren(el("h2", {}, page.title), ...content);
    document.body.dataset.ready = name;
    if (page.refresh) timer = setTimeout(show, page.refresh);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { name } = route();
    const params = new URLSearchParams();
    for (const key of ["start", "end"]) if (form.elements[key].value) params.set(key, form.elements[key].value);
    location.hash = `${name}?${params}`;
  });
  window.addEventListener("hashchange", show);
  show();
})();
