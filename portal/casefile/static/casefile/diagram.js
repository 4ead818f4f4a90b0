/* The case page's process diagram: bpmn-js NavigatedViewer (global BpmnJS) draws the BPMN file
 * served by /cases/<pk>/diagram.xml and marks the elements the server computed as done / current.
 * Clicking a call activity (or a button above the canvas) switches to its sub-process's diagram.
 * The container's data-state says "ready" once a diagram is drawn and marked, "error" otherwise. */
(function () {
  "use strict";

  var dataElement = document.getElementById("casefile-diagrams");
  var container = document.getElementById("casefile-diagram");
  var switcher = document.getElementById("casefile-diagram-switch");
  if (!dataElement || !container) {
    return;
  }
  var diagrams = JSON.parse(dataElement.textContent);
  var byRef = {};
  diagrams.forEach(function (d) { byRef[d.ref] = d; });

  var message = document.createElement("p");
  message.className = "error diagram-error";
  message.hidden = true;
  message.textContent = container.dataset.empty;
  container.parentNode.insertBefore(message, container.nextSibling);

  function fail(reason) {
    container.dataset.state = "error";
    container.dataset.error = String(reason);
    message.hidden = false;
  }

  if (typeof window.BpmnJS !== "function") {
    fail("bpmn-js is not loaded");
    return;
  }

  var viewer = new window.BpmnJS({ container: container });
  var shown = null;

  function childrenOf(diagram) {
    return diagrams.filter(function (d) { return d.parent === diagram.ref; });
  }

  function mark(diagram) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    function add(id, marker) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker);
      }
    }
    diagram.done.forEach(function (id) { add(id, "done"); });
    diagram.current.forEach(function (id) { add(id, "current"); });
    childrenOf(diagram).forEach(function (d) { add(d.calledFrom, "has-subprocess"); });
  }

  function renderSwitcher() {
    if (!switcher) {
      return;
    }
    switcher.textContent = "";
    if (diagrams.length < 2) {
      return;
    }
    diagrams.forEach(function (d) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = d.name;
      button.dataset.ref = d.ref;
      button.className = (shown && shown.ref === d.ref ? "on " : "") + (d.current.length ? "running" : "");
      button.addEventListener("click", function () { show(d.ref); });
      switcher.appendChild(button);
    });
  }

  function show(ref) {
    var diagram = byRef[ref];
    if (!diagram || !diagram.url) {
      fail("no diagram for " + ref);
      return;
    }
    container.dataset.state = "loading";
    fetch(diagram.url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        shown = diagram;
        viewer.get("canvas").zoom("fit-viewport", "auto");
        mark(diagram);
        renderSwitcher();
        container.dataset.shown = diagram.ref;
        container.dataset.state = "ready";
        message.hidden = true;
      })
      .catch(fail);
  }

  viewer.get("eventBus").on("element.click", function (event) {
    if (!shown) {
      return;
    }
    // The latest run of the clicked call activity, if it has been reached.
    var runs = childrenOf(shown).filter(function (d) { return d.calledFrom === event.element.id; });
    if (runs.length) {
      show(runs[runs.length - 1].ref);
    }
  });

  show(diagrams[0].ref);
})();
