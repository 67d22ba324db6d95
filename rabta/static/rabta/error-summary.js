// After a failed submit, take the reader to the list of problems: a screen reader reads it out, and each
// item links to its field. The summary is marked autofocus too; this covers browsers that ignore that.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) summary.focus();
})();
