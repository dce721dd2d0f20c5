// govbot console, content pages: the live progress of a reindex, and the
// hit test rerun once the reindex it waits for is done. The pages work
// without it (reload to see the progress).
(function () {
  "use strict";
  function text(id, s) { var el = document.getElementById(id); if (el) { el.textContent = s; } }

  // The reindex page: poll the job until it is no longer running.
  var job = document.getElementById("job");
  if (job && job.getAttribute("data-state") === "running") {
    var url = job.getAttribute("data-poll");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          var j = res.job;
          text("job-state", res.state_name);
          text("job-done", j.done);
          text("job-total", j.total);
          text("job-drafts", j.drafts);
          text("job-blocked", j.blocked);
          text("job-errors", j.errors);
          text("job-secs", res.seconds.toFixed(1) + " 秒");
          var bar = document.getElementById("job-bar");
          if (bar) { bar.max = Math.max(j.total, 1); bar.value = j.done; }
          if (j.state === "running") { setTimeout(poll, 700); return; }
          // Finished: reload so the history and the generations show it.
          window.location.replace("/admin/reindex?job=" + j.id);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 400);
  }

  // The hit test after a fix: rerun the question once the reindex is done.
  var after = document.getElementById("after-job");
  if (after && after.getAttribute("data-poll")) {
    var aurl = after.getAttribute("data-poll");
    var wait = function () {
      fetch(aurl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.job.state === "running") { setTimeout(wait, 700); return; }
          window.location.reload();
        })
        .catch(function () { setTimeout(wait, 2000); });
    };
    setTimeout(wait, 400);
  }
})();
