// Incident page: live timeline over WebSocket, gaps filled from the API, notes posted with fetch.
(function () {
  "use strict";
  var root = document.getElementById("incident");
  if (!root || !window.DinariLive) return;
  var id = root.dataset.incidentId;
  var lastSeq = parseInt(root.dataset.lastSeq || "0", 10);
  var list = document.getElementById("timeline");
  var statusEl = document.getElementById("live-status");
  var labelsEl = document.getElementById("severity-labels");
  var SEVERITY_LABELS = labelsEl ? JSON.parse(labelsEl.textContent) : {};
  var KIND_LABELS = {declared: "Declared", status: "Status change", change: "Field change", assignment: "Assignment",
    note: "Note", escalation: "Escalation", notification: "Notification", alert: "Alert", action_run: "Action run",
    postmortem: "Post-mortem", system: "System"};

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function span(cls, text) {
    var el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function render(entry) {
    if (entry.seq <= lastSeq || list.querySelector('li[data-seq="' + entry.seq + '"]')) return;
    var li = document.createElement("li");
    li.className = "entry entry-" + entry.kind + (entry.pinned ? " pinned" : "") + " fresh";
    li.dataset.seq = entry.seq;
    li.appendChild(span("seq", String(entry.seq)));
    var time = document.createElement("time");
    time.dateTime = entry.created_at;
    time.textContent = new Date(entry.created_at).toTimeString().slice(0, 8);
    li.appendChild(time);
    li.appendChild(span("kind", KIND_LABELS[entry.kind] || entry.kind));
    li.appendChild(span("actor", entry.actor || "system"));
    li.appendChild(span("text", entry.text));
    var pinTemplate = document.getElementById("pin-template");
    if (pinTemplate) {  // the same pin form the server renders for responders
      var form = pinTemplate.content.firstElementChild.cloneNode(true);
      form.action = form.getAttribute("action").replace(/\/0\/pin\/$/, "/" + entry.seq + "/pin/");
      if (entry.pinned) {
        form.querySelector('input[name="pinned"]').value = "0";
        form.querySelector("button").textContent = "★";
      }
      li.appendChild(form);
    }
    list.appendChild(li);
    lastSeq = entry.seq;
  }

  function applySnapshot(snap) {
    if (!snap) return;
    var st = document.getElementById("incident-status");
    if (st) { st.textContent = snap.status; st.className = "istatus istatus-" + snap.status; }
    var sev = document.getElementById("incident-severity");
    if (sev && snap.severity && SEVERITY_LABELS[snap.severity]) {
      sev.textContent = SEVERITY_LABELS[snap.severity].label;
      sev.className = "sev sev-" + snap.severity;
      document.getElementById("incident-severity-meaning").textContent = SEVERITY_LABELS[snap.severity].meaning;
    }
    var cmd = document.getElementById("incident-commander");
    if (cmd) cmd.textContent = snap.commander || "–";
    var parts = document.getElementById("incident-participants");
    if (parts) parts.textContent = snap.participants.length ? snap.participants.join(", ") : "–";
    document.querySelectorAll("form.command").forEach(function (form) {
      form.hidden = form.dataset.sources.split(" ").indexOf(snap.status) < 0;
    });
  }

  var fetching = null;
  function catchUp() {
    if (fetching) return fetching;
    fetching = fetch("/api/incidents/" + id + "/timeline/?after_seq=" + lastSeq, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (entries) { entries.forEach(render); })
      .finally(function () { fetching = null; });
    return fetching;
  }

  function handle(ev) {
    if (ev.kind === "timeline.entry") {
      var entry = ev.data.entry;
      if (entry.seq > lastSeq + 1) {
        catchUp().then(function () { render(entry); applySnapshot(ev.data.incident); });
      } else {
        render(entry);
        applySnapshot(ev.data.incident);
      }
    } else if (ev.kind === "timeline.pinned") {
      var li = list.querySelector('li[data-seq="' + ev.data.seq + '"]');
      if (li) li.classList.toggle("pinned", ev.data.pinned);
    }
  }

  window.DinariIncident = DinariLive.connect("/ws/incidents/" + id + "/", {
    onEvent: handle,
    onGap: function (stream) { if (stream.indexOf(".pins") < 0) catchUp(); },
    onOpen: catchUp,
    onState: function (s) {
      if (!statusEl) return;
      statusEl.dataset.state = s;
      statusEl.textContent = s === "live" ? "live" : s + "…";
      document.body.dataset.live = s;
    }
  });

  var form = document.getElementById("note-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var textarea = document.getElementById("note-text");
      var error = document.getElementById("note-error");
      error.textContent = "";
      fetch("/api/incidents/" + id + "/notes/", {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
        body: JSON.stringify({text: textarea.value})
      }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { error.textContent = body.error ? body.error.message : "Could not add the note."; return; }
          textarea.value = "";
          if (body.seq === lastSeq + 1) render(body); else catchUp();
        });
      }).catch(function () { error.textContent = "Network error; the note was not added."; });
    });
  }
})();
