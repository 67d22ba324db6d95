// Contact log outbox: a progressive enhancement. Without JavaScript the form posts as usual.
// Each entry is kept in this phone's localStorage first, then sent; without a connection it waits
// and is sent when the connection returns. Every entry carries its client id, and the server makes
// one contact per officer and client id, so an entry sent twice is still one contact.
(function () {
  "use strict";
  var form = document.getElementById("contact-log");
  var box = document.getElementById("outbox");
  if (!form || !box || !window.fetch || !window.localStorage || !window.FormData || !window.JSON) return;
  var KEY = "rabta.contactOutbox";
  var REFUSED_KEY = "rabta.contactOutboxRefused";
  var officer = box.getAttribute("data-officer");
  var sending = false;
  var dirty = false;

  function load(key) {
    try {
      var items = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }
  function save(key, items) {
    localStorage.setItem(key, JSON.stringify(items));
  }
  function mine(items) {
    return items.filter(function (item) { return item.officer === officer; });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localNow() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function token() {
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function value(item, name) {
    for (var i = 0; i < item.fields.length; i++) if (item.fields[i][0] === name) return item.fields[i][1];
    return "";
  }
  function kindLabel(item) {
    var input = form.querySelector("input[name=kind][value='" + value(item, "kind").replace(/[^a-z_]/g, "") + "']");
    var label = input && input.closest("label");
    return label ? label.textContent.trim() : value(item, "kind");
  }

  function render(note) {
    var waiting = mine(load(KEY));
    var refused = mine(load(REFUSED_KEY));
    box.querySelector(".count").textContent = waiting.length ? box.getAttribute("data-waiting").replace("%(count)s", waiting.length) : "";
    box.querySelector(".send").hidden = !waiting.length;
    if (note !== undefined) box.querySelector(".note").textContent = note;
    var list = box.querySelector(".refused");
    list.textContent = "";
    refused.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = box.getAttribute("data-refused") + " " + kindLabel(item) + " " + value(item, "ended_at").replace("T", " ") + " – " + (item.error || "");
      list.appendChild(li);
    });
    box.hidden = !(waiting.length || refused.length || box.querySelector(".note").textContent);
    box.setAttribute("data-count", String(waiting.length));
  }

  function send(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrfmiddlewaretoken", token());
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Rabta-Outbox": "1", "X-CSRFToken": token(), "Accept": "application/json" },
    }).then(function (response) {
      if (response.ok) return { sent: true };
      if (response.status === 400) {
        return response.json().then(function (data) {
          var errors = (data && data.errors) || {};
          var first = Object.keys(errors).map(function (k) { return errors[k][0]; })[0] || "";
          return { refused: true, error: first };
        }, function () { return { refused: true, error: "" }; });
      }
      // Logged out, throttled or a server fault: keep the entry and try again later.
      return { later: true };
    }, function () {
      return { later: true };
    });
  }

  function drop(id) {
    save(KEY, load(KEY).filter(function (item) { return item.id !== id; }));
  }

  // After a send that could not go while the phone says it is online (a connection coming back is often
  // not ready at its "online" event), try again soon, then less and less often, up to the 30 s sweep.
  var retryDelay = 2000;
  var retryTimer = null;
  function retrySoon() {
    if (retryTimer) return;
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  // Send what waits, one at a time and oldest first; stop at the first that cannot go now.
  function flush() {
    if (sending) return Promise.resolve(0);
    sending = true;
    var sent = 0;
    function next() {
      var item = mine(load(KEY))[0];
      if (!item) return Promise.resolve();
      return send(item).then(function (result) {
        if (result.later) return;
        drop(item.id);
        if (result.sent) sent += 1;
        if (result.refused) {
          item.error = result.error;
          save(REFUSED_KEY, load(REFUSED_KEY).concat([item]));
        }
        return next();
      });
    }
    return next().then(function () {
      sending = false;
      if (sent) retryDelay = 2000;
      else if (mine(load(KEY)).length && navigator.onLine !== false) retrySoon();
      if (sent) {
        render(box.getAttribute("data-sent"));
        // Show the new contacts in the list unless the officer is typing the next one.
        if (!dirty && !mine(load(KEY)).length) window.location.assign(form.action);
      } else {
        render();
      }
      return sent;
    });
  }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (v, k) {
      if (k === "csrfmiddlewaretoken") return;
      // "Ended: empty means now" must mean when the entry was made, not when it reaches the server.
      if (k === "ended_at" && !v) v = localNow();
      fields.push([k, String(v)]);
    });
    var item = { id: value({ fields: fields }, "client_id") || uuid(), officer: officer, fields: fields, saved: Date.now() };
    save(KEY, load(KEY).filter(function (i) { return i.id !== item.id; }).concat([item]));
    send(item).then(function (result) {
      if (result.sent) {
        drop(item.id);
        window.location.assign(form.action);
      } else if (result.refused) {
        // Sent now and refused: let the server show the errors on the form itself.
        drop(item.id);
        form.submit();
      } else {
        form.reset();
        form.elements.client_id.value = uuid();
        dirty = false;
        render(box.getAttribute("data-offline"));
        window.scrollTo(0, 0);
      }
    });
  });
  box.querySelector(".send").addEventListener("click", function () { flush(); });
  window.addEventListener("online", function () { flush(); });
  window.setInterval(function () { if (navigator.onLine !== false) flush(); }, 30000);

  // "Add my location": a private point for staff, kept with the entry.
  var locate = document.getElementById("locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    var note = locate.querySelector(".note");
    locate.querySelector("button").addEventListener("click", function () {
      note.textContent = locate.getAttribute("data-wait");
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(5);
        form.elements.lon.value = pos.coords.longitude.toFixed(5);
        note.textContent = locate.getAttribute("data-done");
      }, function () {
        note.textContent = locate.getAttribute("data-fail");
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  render();
  if (navigator.onLine !== false) flush();
})();
