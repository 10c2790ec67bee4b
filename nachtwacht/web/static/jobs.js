/* Nachtwacht jobs pages: live progress by polling the jobs API (same-origin session cookie). */
(function () {
  "use strict";
  var FAST = 1000, SLOW = 5000;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(url + ": " + r.status); } return r.json(); });
  }

  function setText(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = String(value); }
  }

  function sum(obj) {
    var total = 0;
    Object.keys(obj || {}).forEach(function (k) { total += Number(obj[k]) || 0; });
    return total;
  }

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    row.appendChild(td);
  }

  function when(iso) { return (iso || "").slice(0, 19).replace("T", " "); }

  function renderRuns(runs) {
    var table = document.getElementById("job-runs");
    if (!table) { return; }
    while (table.rows.length > 1) { table.deleteRow(1); }
    runs.forEach(function (r) {
      var row = table.insertRow(-1), summary = r.summary || {};
      cell(row, r.id); cell(row, r.trigger); cell(row, when(r.started_at)); cell(row, when(r.ended_at));
      cell(row, r.outcome || "running");
      cell(row, (summary.counters && summary.counters.pages) || summary.pages || "");
      cell(row, r.error || "", "error");
    });
  }

  function detail(section) {
    var id = section.getAttribute("data-job"), base = "/api/jobs/" + encodeURIComponent(id);
    var maxPages = Number(section.getAttribute("data-max-pages")) || 0;
    function tick() {
      getJSON(base).then(function (job) {
        var c = job.counters || {}, was = section.getAttribute("data-state");
        section.setAttribute("data-state", job.state);
        var state = document.getElementById("job-state");
        if (state) { state.textContent = job.state; state.className = "status " + job.state; }
        setText("job-pages", c.pages || 0);
        setText("job-listings", c.listings || 0);
        setText("job-posts", c.posts || 0);
        setText("job-requests", c.requests || 0);
        setText("job-errors", sum(c.errors));
        setText("job-pending", (job.frontier || {}).pending || 0);
        setText("job-updated", when(c.updated_at));
        var bar = document.getElementById("job-progress");
        if (bar && maxPages) { bar.style.width = Math.min(100, 100 * (c.pages || 0) / maxPages) + "%"; }
        document.querySelectorAll("form.job-action").forEach(function (f) {
          f.hidden = f.getAttribute("data-states").split(" ").indexOf(job.state) < 0;
        });
        var refresh = job.state === "running" || was !== job.state;
        if (refresh) {
          getJSON(base + "/history").then(renderRuns).catch(function () {});
          getJSON(base + "/log?lines=40").then(function (log) {
            setText("job-log", log.lines.length ? log.lines.join("\n") : "(empty)");
          }).catch(function () {});
        }
        section.setAttribute("data-polled", String(Number(section.getAttribute("data-polled") || 0) + 1));
        setTimeout(tick, job.state === "running" ? FAST : SLOW);
      }).catch(function () { setTimeout(tick, SLOW); });
    }
    setTimeout(tick, FAST);
  }

  function list(table) {
    function tick() {
      getJSON(table.getAttribute("data-poll")).then(function (jobs) {
        var running = false;
        jobs.forEach(function (job) {
          var row = table.querySelector("tr[data-job='" + CSS.escape(job.id) + "']");
          if (!row) { return; }
          var c = job.counters || {};
          row.setAttribute("data-state", job.state);
          var state = row.querySelector(".job-state");
          state.textContent = job.state; state.className = "status " + job.state + " job-state";
          row.querySelector(".job-pages").textContent = c.pages || 0;
          row.querySelector(".job-listings").textContent = c.listings || 0;
          row.querySelector(".job-posts").textContent = c.posts || 0;
          running = running || job.state === "running";
        });
        setTimeout(tick, running ? FAST : SLOW);
      }).catch(function () { setTimeout(tick, SLOW); });
    }
    setTimeout(tick, FAST);
  }

  function init() {
    var section = document.querySelector("#job[data-job]");
    if (section) { detail(section); }
    var table = document.querySelector("table#jobs[data-poll]");
    if (table) { list(table); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
