// govbot console: the compose preview and checks, and the live delivery
// report. No external code; the pages work without it (the checks run
// again when the form is submitted).
(function () {
  "use strict";
  var main = document.getElementById("main");
  var csrf = main ? main.getAttribute("data-csrf") : "";

  function text(el, s) { if (el) { el.textContent = s; } }

  // --- compose: preview, audience totals, checks ---
  var form = document.getElementById("compose-form");
  if (form) {
    var title = document.getElementById("title");
    var body = document.getElementById("body");
    var timer = null;
    var preview = function () {
      var t = title.value.trim() || "（标题）";
      var b = body.value.trim() || "（正文）";
      document.querySelectorAll(".pv-title").forEach(function (el) { text(el, t); });
      document.querySelectorAll(".pv-body").forEach(function (el) { text(el, b); });
      var total = 0, names = [];
      form.querySelectorAll("input[name=audience]:checked").forEach(function (el) {
        total += parseInt(el.getAttribute("data-total") || "0", 10);
        names.push(el.value);
      });
      text(document.getElementById("audience-sum"),
        names.length ? "已选 " + names.join("、") + "，现可送达 " + total + " 个对象（公众号标签在发送时展开）" : "尚未选择受众");
    };
    var check = function () {
      var data = new URLSearchParams(new FormData(form));
      data.delete("do");
      fetch(form.getAttribute("data-check"), {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: data.toString()
      }).then(function (r) { return r.json(); }).then(function (res) {
        var p = document.getElementById("check-problem");
        p.className = res.problem ? "warn" : "ok";
        text(p, res.problem || "检查通过：可以提交审核。");
        var priv = document.getElementById("check-privacy");
        priv.innerHTML = "";
        (res.privacy || []).forEach(function (f) {
          var li = document.createElement("li");
          li.className = "warn";
          li.textContent = f.field + "第 " + f.line + " 行第 " + f.column + " 字有" + f.kind + "（" + f.masked + "），请删除或打码";
          priv.appendChild(li);
        });
        var lens = document.getElementById("check-lengths");
        lens.innerHTML = "";
        (res.lengths || []).forEach(function (l) {
          var li = document.createElement("li");
          li.className = l.ok ? "ok" : "warn";
          li.textContent = l.channel_name + "（" + l.format + "）：" + l.bytes + " / " + l.max + " 字节";
          lens.appendChild(li);
        });
      }).catch(function () {});
    };
    var changed = function () {
      preview();
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    preview();
    if (title.value || body.value) { check(); }
  }

  // --- the live delivery report ---
  var report = document.getElementById("report");
  if (report && report.getAttribute("data-poll")) {
    var url = report.getAttribute("data-poll");
    var status = report.getAttribute("data-status");
    var last = null;
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (rep) {
          var key = JSON.stringify([rep.status, rep.total, rep.sent, rep.failed, rep.pending, rep.unreachable]);
          if (rep.status !== status || (last !== null && key !== last)) {
            window.location.reload();
            return;
          }
          last = key;
          setTimeout(poll, 1500);
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1500);
  }
})();
