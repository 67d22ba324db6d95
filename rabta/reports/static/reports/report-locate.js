// "Use my location" on the report form: fills two hidden fields, then asks this server which
// neighbourhood that is and says so (choosing it in the list and on the map). Without it the list
// and the map work.
(function () {
  var box = document.getElementById("report-locate");
  if (!box || !navigator.geolocation) return;
  var note = box.querySelector(".note");
  var select = document.getElementById("id_beat");
  box.hidden = false;

  function say(text, place) {
    note.textContent = text;
    if (place) {
      var name = document.createElement("bdi");
      name.textContent = place;
      note.appendChild(document.createTextNode(" "));
      note.appendChild(name);
    }
  }

  function choose(code) {
    var option = select && select.querySelector('option[value="' + code + '"]');
    if (!option) return "";
    select.value = code;
    var shapes = document.querySelectorAll(".beatmap a[data-code]");
    for (var i = 0; i < shapes.length; i++) {
      shapes[i].classList.toggle("on", shapes[i].getAttribute("data-code") === code);
    }
    return option.textContent;
  }

  box.querySelector("button").addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lat = pos.coords.latitude.toFixed(5), lon = pos.coords.longitude.toFixed(5);
      document.getElementById("id_lat").value = lat;
      document.getElementById("id_lon").value = lon;
      var ask = new XMLHttpRequest();
      ask.open("GET", box.dataset.url + "?lat=" + lat + "&lon=" + lon);
      ask.onload = function () {
        var answer = null;
        try { answer = JSON.parse(ask.responseText); } catch (e) { answer = null; }
        if (ask.status !== 200 || !answer) { say(box.dataset.done); return; }
        var label = answer.code ? choose(answer.code) : "";
        if (label) say(box.dataset.found, label);
        else say(box.dataset.outside);
      };
      // Offline after the fix: the server still places the report by the point when it is sent.
      ask.onerror = function () { say(box.dataset.done); };
      ask.send();
    }, function () {
      say(box.dataset.fail);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
