// The complaint form: before submitting, show open complaints of the same matter near
// the same place (matter, place, status only) and let the citizen join one of them.
(function () {
  "use strict";
  var box = document.getElementById("nearby");
  var form = document.getElementById("complaint-form");
  if (!box || !form) return;
  var list = document.getElementById("nearby-list");
  var matter = form.querySelector("[name=matter_code]");
  var place = form.querySelector("[name=place]");
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var pending = null;

  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var label = document.createElement("label");
      label.className = "nearby-item";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "join";
      radio.value = item.id;
      label.appendChild(radio);
      var status = english ? item.status_en : item.status;
      label.appendChild(document.createTextNode(english
        ? " Join: " + item.matter + ", " + item.place + " (" + status + ", since " + item.since + ")"
        : " 加入：" + item.matter + "，" + item.place + "（" + status + "，" + item.since + "起）"));
      list.appendChild(label);
    });
    box.hidden = items.length === 0;
  }

  function look() {
    if (!matter.value || place.value.trim().length < 2) { show([]); return; }
    var url = box.dataset.url + "?matter_code=" + encodeURIComponent(matter.value) +
      "&place=" + encodeURIComponent(place.value.trim());
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) { show(body.items || []); })
      .catch(function () { show([]); });
  }

  function later() {
    window.clearTimeout(pending);
    pending = window.setTimeout(look, 400);
  }
  matter.addEventListener("change", look);
  place.addEventListener("input", later);
  place.addEventListener("change", look);
})();
