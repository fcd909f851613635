// The planner's drag and drop and keyboard, by event delegation on the document (the grid is
// re-drawn after every change). Drag state lives in this page only (one browser tab, one client).
// Drop a job (a block or a side-list entry) on a truck row: "planner_drop" {job, truck, target}.
// Drop a person (a row's name) on a job: "planner_drop" {job, person, target}.
// Enter, Space or a click on a job: "planner_pick" {job} (the Assign dialog: the keyboard way);
// on a row's name (for those who record time off): "planner_availability" {kind, id}.
(() => {
  if (window.ccrmPlanner) return;
  let dragged = null;
  const over = new Set();
  const clearMarks = () => { over.forEach((el) => el.classList.remove("pl-over")); over.clear(); };
  const targetOf = (event) => {
    if (!dragged || !event.target.closest) return null;
    if (dragged.job) return event.target.closest("[data-drop-truck]");
    return event.target.closest("[data-job]:not(.pl-s-done)");
  };
  document.addEventListener("dragstart", (event) => {
    const source = event.target.closest && event.target.closest('[data-job][draggable="true"], [data-person]');
    if (!source) return;
    dragged = source.dataset.person ? { person: Number(source.dataset.person) } : { job: Number(source.dataset.job) };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", JSON.stringify(dragged));
  });
  document.addEventListener("dragover", (event) => {
    const target = targetOf(event);
    if (!target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!over.has(target)) { clearMarks(); target.classList.add("pl-over"); over.add(target); }
  });
  document.addEventListener("drop", (event) => {
    const target = targetOf(event);
    if (!target) return;
    event.preventDefault();
    clearMarks();
    const where = target.dataset.testid;
    if (dragged.job) window.emitEvent("planner_drop", { job: dragged.job, truck: Number(target.dataset.dropTruck), target: where });
    else window.emitEvent("planner_drop", { job: Number(target.dataset.job), person: dragged.person, target: where });
    dragged = null;
  });
  document.addEventListener("dragend", () => { dragged = null; clearMarks(); });
  const pick = (event) => {
    const opens = event.target.closest && event.target.closest("[data-availability]");
    if (opens) {
      event.preventDefault();
      const [kind, id] = opens.dataset.availability.split(":");
      window.emitEvent("planner_availability", { kind, id: Number(id) });
      return;
    }
    const job = event.target.closest && event.target.closest("[data-job]");
    if (!job) return;
    event.preventDefault();
    window.emitEvent("planner_pick", { job: Number(job.dataset.job) });
  };
  document.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") pick(event); });
  document.addEventListener("click", pick);
  window.ccrmPlanner = {
    // The refusal of a drop, shown where it was dropped (the truck row, or the job's row).
    refused(testid, message) {
      document.querySelectorAll(".pl-refusal").forEach((el) => el.remove());
      const target = document.querySelector(`[data-testid="${testid}"]`);
      if (!target) return;
      const lane = target.classList.contains("pl-row") ? target.querySelector(".pl-lane") : target.parentElement;
      const note = document.createElement("div");
      note.className = "pl-refusal";
      note.setAttribute("role", "alert");
      note.dataset.testid = "pl-refusal";
      note.textContent = message;
      (lane || target).appendChild(note);
    },
  };
})();
