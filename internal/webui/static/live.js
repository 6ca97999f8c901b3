// Lifeline's one script: live progress of rollouts.
//
// Pages that show a rollout in progress load this file, by its address and
// the response's Content-Security-Policy nonce. Every few seconds it asks
// the JSON API (GET /api/v1/rollouts/{id}, authenticated by the session
// cookie) for each such rollout on the page, and rewrites the numbers, the
// bar and the words in place. It never writes HTML: only text and
// attributes. Without it the page still shows the numbers of when it
// loaded, and a "Refresh" link.
//
// The words mirror the server's (rollouts.go, funcs.go): change both
// together.
(function () {
  "use strict";

  var INTERVAL = 5000; // between polls, in milliseconds
  var MAX_INTERVAL = 60000; // after repeated errors
  var MAX_TIME = 60 * 60 * 1000; // stop after an hour, so an open tab does not keep a session alive
  var MAX_LIVE = 20; // rollouts polled on one page

  var LABELS = { active: "Active", paused: "Paused", completed: "Completed", aborted: "Aborted" };
  var ICONS = { active: "\u25B6", paused: "\u2016", completed: "\u2713", aborted: "\u2715" };
  var TEXTS = {
    active: "Devices in the current phase are offered the release. The rollout moves on by itself as they report success.",
    paused: "No more devices are offered the release until someone resumes the rollout.",
    completed: "Every phase succeeded.",
    aborted: "Stopped for good: no device is offered the release any more."
  };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var BAR_WIDTH = 1000;

  var started = performance.now();
  var items = [];
  var boxes = document.querySelectorAll("[data-rollout]");
  for (var i = 0; i < boxes.length && items.length < MAX_LIVE; i++) {
    var el = boxes[i];
    var state = el.getAttribute("data-state");
    if (state !== "active" && state !== "paused") {
      continue;
    }
    items.push({
      el: el,
      id: el.getAttribute("data-rollout"),
      state: state,
      phase: null,
      soak: Number(el.getAttribute("data-soak")) || 0,
      serverNow: Number(el.getAttribute("data-now")) || Date.now()
    });
  }
  if (items.length === 0) {
    return;
  }

  var note = document.querySelector("[data-live-note]");
  var status = document.querySelector("[data-live-status]");
  var announce = document.querySelector("[data-live-announce]");
  if (note) {
    note.hidden = false;
  }
  var hasButtons = document.querySelector('form[action$="/change"]') !== null;

  function setStatus(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function field(item, name) {
    return item.el.querySelector('[data-field="' + name + '"]');
  }

  function setText(item, name, text) {
    var f = field(item, name);
    if (f && f.textContent !== text) {
      f.textContent = text;
    }
  }

  function pct(v) {
    return String(v) + "%";
  }

  function share(n, total) {
    if (total <= 0) {
      return "0%";
    }
    return pct(Math.round((n * 1000) / total) / 10);
  }

  function barX(n, total) {
    if (total <= 0) {
      return 0;
    }
    return Math.min(Math.round((n * BAR_WIDTH) / total), BAR_WIDTH);
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function when(ms) {
    var d = new Date(ms);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC";
  }

  function plural(n, unit) {
    return n === 1 ? "1 " + unit : n + " " + unit + "s";
  }

  function durationText(ms) {
    if (ms < 60000) {
      return "less than a minute";
    }
    var mins = Math.floor(ms / 60000);
    var days = Math.floor(mins / 1440);
    var hours = Math.floor((mins % 1440) / 60);
    var minutes = mins % 60;
    if (days > 0) {
      return plural(days, "day") + (hours ? " " + plural(hours, "hour") : "");
    }
    if (hours > 0) {
      return plural(hours, "hour") + (minutes ? " " + plural(minutes, "minute") : "");
    }
    return plural(minutes, "minute");
  }

  // serverNow estimates the server's clock: its time when it drew the
  // page, plus the time since. The browser's own clock may be wrong.
  function serverNow(item) {
    return item.serverNow + (performance.now() - started);
  }

  function timeLeft(item, r) {
    if (r.state !== "active" && r.state !== "paused") {
      return "\u2014";
    }
    if (r.urgent || item.soak <= 0) {
      return "None: the phase moves on once enough devices report success";
    }
    var end = Date.parse(r.phase_started_at) + item.soak * 1000;
    var now = serverNow(item);
    if (now >= end) {
      return "None: the soak time is over; the phase moves on once enough devices report success";
    }
    return durationText(end - now) + " (the soak time ends " + when(end) + ")";
  }

  function setState(item, state) {
    var badge = field(item, "state");
    if (badge) {
      badge.className = "badge badge-rollout-" + state;
      var icon = document.createElement("span");
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = ICONS[state] || "?";
      badge.replaceChildren(icon, document.createTextNode(" " + (LABELS[state] || state)));
    }
    setText(item, "state-text", TEXTS[state] || "");
  }

  function show(item, r) {
    var st = r.stats || {};
    var targeted = st.targeted || 0;
    var offered = st.offered || 0;
    var segments = [
      ["succeeded", st.succeeded || 0],
      ["failed", st.failed || 0],
      ["pending", st.pending || 0],
      ["not-offered", Math.max(targeted - offered, 0)]
    ];
    setText(item, "targeted", String(targeted));
    setText(item, "offered", String(offered));
    var cum = 0;
    for (var i = 0; i < segments.length; i++) {
      var key = segments[i][0];
      var n = segments[i][1];
      setText(item, key, String(n));
      setText(item, key + "-share", share(n, targeted));
      var x = barX(cum, targeted);
      cum += Math.max(n, 0);
      var rect = item.el.querySelector('[data-bar="' + key + '"]');
      if (rect) {
        rect.setAttribute("x", String(x));
        rect.setAttribute("width", String(barX(cum, targeted) - x));
      }
    }
    var phases = r.phases || [];
    setText(item, "phase", (r.phase + 1) + " of " + phases.length + " \u2014 " + pct(r.percent) + " of targeted devices");
    setText(item, "reason", r.reason || "\u2014");
    setText(item, "time-left", timeLeft(item, r));
    var phaseStarted = Date.parse(r.phase_started_at);
    if (!isNaN(phaseStarted)) {
      setText(item, "phase-started", when(phaseStarted));
    }
    var changed = r.state !== item.state || (item.phase !== null && r.phase !== item.phase);
    if (r.state !== item.state) {
      setState(item, r.state);
      item.el.setAttribute("data-state", r.state);
    }
    if (changed && announce) {
      announce.textContent = "Rollout of " + r.version + ": " + (LABELS[r.state] || r.state) + ", phase " + (r.phase + 1) + " of " + phases.length + ".";
    }
    if (r.state !== item.state && hasButtons) {
      setStatus("The rollout is now " + (LABELS[r.state] || r.state).toLowerCase() + ". Reload the page for the buttons that apply now.");
      item.stateNote = true;
    }
    item.state = r.state;
    item.phase = r.phase;
  }

  function poll(item) {
    return fetch("/api/v1/rollouts/" + encodeURIComponent(item.id), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(function (resp) {
      if (resp.status === 401) {
        throw { stop: "Live updates stopped: your session ended. Sign in again to see the latest numbers." };
      }
      if (!resp.ok) {
        throw { stop: resp.status === 403 || resp.status === 404 ? "Live updates stopped: the rollout can no longer be read." : null };
      }
      return resp.json();
    }).then(function (r) {
      show(item, r);
    });
  }

  var interval = INTERVAL;
  var timer = null;
  var stopped = false;

  function stop(text) {
    stopped = true;
    setStatus(text);
  }

  function live() {
    return items.filter(function (item) {
      return item.state === "active" || item.state === "paused";
    });
  }

  function tick() {
    timer = null;
    if (performance.now() - started > MAX_TIME) {
      stop("Live updates stopped after an hour. Reload the page to start them again.");
      return;
    }
    if (document.hidden) {
      return; // resumed by visibilitychange
    }
    var polled = live();
    Promise.all(polled.map(poll)).then(function () {
      interval = INTERVAL;
      if (!polled.some(function (item) { return item.stateNote; })) {
        setStatus("Last checked at " + new Date().toLocaleTimeString() + ".");
      }
      if (live().length === 0) {
        stopped = true;
        if (!hasButtons) {
          setStatus("The rollouts on this page have finished.");
        }
        return;
      }
      schedule();
    }, function (err) {
      if (err && err.stop) {
        stop(err.stop);
        return;
      }
      interval = Math.min(interval * 2, MAX_INTERVAL);
      setStatus("Could not reach Lifeline; trying again in " + Math.round(interval / 1000) + " seconds.");
      schedule();
    });
  }

  function schedule() {
    if (timer === null && !stopped) {
      timer = setTimeout(tick, interval);
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule();
    }
  });
  schedule();
})();
