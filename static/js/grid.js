// The editor's grid: add and remove rows, paste rows from a spreadsheet, filter the ally lists.
// Only an enhancement: without this file the grid is a plain form with blank rows and
// "add more rows" buttons, and the ally lists are plain multiple-choice lists.
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("grid-status");
    if (region) { region.textContent = text; }
  }

  function cells(row) {
    return Array.prototype.slice.call(row.querySelectorAll("td:not(.cell--remove) input, td:not(.cell--remove) select, td:not(.cell--remove) textarea"));
  }

  function isBlank(row) {
    return cells(row).every(function (control) {
      if (control.tagName === "SELECT") {
        return control.multiple ? control.selectedOptions.length === 0 : control.selectedIndex <= 0 || control.defaultValue === control.value;
      }
      return control.value === "";
    });
  }

  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  function setValue(control, text) {
    text = (text || "").trim();
    if (control.tagName === "SELECT") {
      var wanted = control.multiple ? text.split(/\s*[,;]\s*/) : [text];
      var lowered = wanted.map(function (w) { return w.toLowerCase(); });
      Array.prototype.forEach.call(control.options, function (option) {
        var hit = lowered.indexOf(option.value.toLowerCase()) >= 0 || lowered.indexOf(option.text.trim().toLowerCase()) >= 0;
        if (control.multiple) { option.selected = hit; } else if (hit) { control.value = option.value; }
      });
    } else if (control.type === "checkbox") {
      control.checked = /^(1|x|yes|oui|true|vrai)$/i.test(text);
    } else {
      control.value = text;
    }
    if (control.closest("details") && text) { control.closest("details").open = true; }
  }

  // Spreadsheets copy cells as tab-separated text, a row a line; a cell that holds a line break
  // or a tab comes in double quotes, its own quotes doubled ("Two plants:\nTallinn and ""Tartu""").
  var QUOTED = /"((?:[^"]|"")*)"(?=\t|\n|$)/y;
  var BREAK = /[\t\n]/g;

  function spreadsheetRows(text) {
    text = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
    var rows = [[]], at = 0;
    for (;;) {
      var value, end;
      QUOTED.lastIndex = at;
      var quoted = QUOTED.exec(text);
      if (quoted) {
        value = quoted[1].replace(/""/g, '"');
        end = QUOTED.lastIndex;
      } else {
        BREAK.lastIndex = at;
        end = BREAK.exec(text) ? BREAK.lastIndex - 1 : text.length;
        value = text.slice(at, end);
      }
      rows[rows.length - 1].push(value);
      if (end >= text.length) { return rows; }
      if (text.charAt(end) === "\n") { rows.push([]); }
      at = end + 1;
    }
  }

  function setupGrid(table) {
    var prefix = table.getAttribute("data-grid");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = parseInt(document.getElementById("id_" + prefix + "-MAX_NUM_FORMS").value, 10);
    var template = document.getElementById(prefix + "-template");
    var body = table.tBodies[0];
    var addButton = document.querySelector("[data-add-row='" + prefix + "']");

    function number() {
      var n = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        if (!row.hidden) { n += 1; row.cells[0].firstChild.nodeValue = String(n); }
      });
    }

    function addRow() {
      var index = parseInt(total.value, 10);
      if (index >= max) { return null; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = body.rows[body.rows.length - 1];
      if (!row.cells[0].firstChild || row.cells[0].firstChild.nodeType !== 3) {
        row.cells[0].insertBefore(document.createTextNode(""), row.cells[0].firstChild);
      }
      enhance(row);
      number();
      return row;
    }

    function enhance(row) {
      row.querySelectorAll("select[data-searchable]").forEach(searchable);
      var box = row.querySelector(".cell--remove input[type=checkbox]");
      if (!box || box.dataset.enhanced) { return; }
      box.dataset.enhanced = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small button--secondary";
      button.textContent = table.getAttribute("data-remove-label") || "Remove";
      button.setAttribute("aria-label", button.textContent + " " + row.cells[0].textContent.trim());
      button.addEventListener("click", function () {
        box.checked = true;
        row.hidden = true;
        number();
        announce(table.getAttribute("data-removed-label") || "Row removed.");
        if (addButton) { addButton.focus(); }
      });
      box.parentNode.appendChild(button);
    }

    Array.prototype.forEach.call(body.rows, function (row) {
      if (!row.cells[0].firstChild || row.cells[0].firstChild.nodeType !== 3) {
        row.cells[0].insertBefore(document.createTextNode(""), row.cells[0].firstChild);
      }
      enhance(row);
    });
    if (addButton) {
      addButton.hidden = false;
      addButton.addEventListener("click", function () {
        var row = addRow();
        if (row) {
          cells(row)[0].focus();
          announce(table.getAttribute("data-added-label") || "Row added.");
        }
      });
    }

    // Paste a block copied from a spreadsheet: tab-separated columns, one row a line.
    body.addEventListener("paste", function (event) {
      var target = event.target;
      var data = (event.clipboardData || window.clipboardData);
      if (!data || !target.name) { return; }
      var text = data.getData("text");
      if (text.indexOf("\t") < 0 && text.replace(/\r?\n$/, "").indexOf("\n") < 0) { return; }
      event.preventDefault();
      var rows = spreadsheetRows(text);
      // Rows copied from the spreadsheet template may bring its header row: it is not a line.
      var headers = Array.prototype.map.call(table.tHead ? table.tHead.rows[0].cells : [], function (cell) {
        return cell.textContent.trim().toLowerCase();
      });
      var known = rows[0].filter(function (value) { return headers.indexOf(value.trim().toLowerCase()) >= 0; });
      if (known.length >= 2 && known.length * 2 >= rows[0].length) { rows.shift(); }
      var row = target.closest("tr");
      var column = cells(row).indexOf(target);
      var filled = 0;
      rows.forEach(function (values) {
        while (row && row.hidden) { row = row.nextElementSibling; }
        if (!row) { row = addRow(); }
        if (!row) { return; }
        var controls = cells(row);
        values.forEach(function (value, offset) {
          var control = controls[column + offset];
          if (control) { setValue(control, value); }
        });
        // The template's last column, after the grid's own: the row's key, which keeps the line's identity.
        // A blank key there is a new line; a pasted block without that column leaves the key alone.
        var key = row.querySelector("th input[type=hidden][name$='-key']");
        if (key && values.length > controls.length - column) {
          var extra = values[controls.length - column].trim();
          key.value = UUID.test(extra) ? extra.toLowerCase() : "";
        }
        filled += 1;
        row = row.nextElementSibling;
      });
      // Keep a blank row at the end, as the page does.
      var last = body.rows[body.rows.length - 1];
      if (last && !isBlank(last)) { addRow(); }
      announce((table.getAttribute("data-pasted-label") || "Rows pasted: ") + filled);
    });
  }

  function searchable(select) {
    if (select.dataset.enhanced) { return; }
    select.dataset.enhanced = "1";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "list-filter";
    filter.setAttribute("aria-label", (select.closest("[data-filter-label]") || document.body).getAttribute("data-filter-label") || "Filter");
    filter.setAttribute("aria-controls", select.id);
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = needle !== "" && !option.selected && option.text.toLowerCase().indexOf(needle) < 0 && option.value.toLowerCase() !== needle;
      });
    });
    select.parentNode.insertBefore(filter, select);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-grid]").forEach(setupGrid);
    document.querySelectorAll("select[data-searchable]").forEach(searchable);
  });
})();
