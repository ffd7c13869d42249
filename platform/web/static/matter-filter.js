// The matter choice's filter box: typing keeps the matters whose name, or whose domain's
// name, contains what was typed (the choice still works without this script).
(function () {
  "use strict";
  document.querySelectorAll("input[data-filters]").forEach(function (box) {
    var select = document.getElementById(box.dataset.filters);
    if (!select) return;
    function filter() {
      var wanted = box.value.trim().toLowerCase();
      select.querySelectorAll("optgroup").forEach(function (group) {
        var whole = wanted === "" || group.label.toLowerCase().indexOf(wanted) >= 0;
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var keep = whole || option.selected ||
            option.textContent.toLowerCase().indexOf(wanted) >= 0;
          option.hidden = !keep;
          if (keep) shown += 1;
        });
        group.hidden = shown === 0;
      });
    }
    box.addEventListener("input", filter);
  });
})();
