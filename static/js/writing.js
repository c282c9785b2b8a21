/* The author's workspace, enhanced: opening the citation picker, searching it, citing and removing
   a citation happen in place with fetch instead of reloading the editor.

   Without JavaScript each of these is a plain link or form that reloads the page, and the server
   does exactly the same work either way: a citation is posted to the editor with the page's edit
   version, `writing.editing.cite` applies it under the article's lock, and the editor page it
   redirects to is what this script reads the changed parts from. Anything unexpected (a conflict,
   an expired login, a network error) falls back to the plain form or link.
*/
(() => {
  "use strict";

  const editor = document.querySelector(".editor");
  if (!editor || !window.fetch || !window.DOMParser) return;

  const parse = (html) => new DOMParser().parseFromString(html, "text/html");
  // Not form.action: the editor's forms have an input named "action", which that property returns.
  const target = (form) => new URL(form.getAttribute("action") || "", document.baseURI);
  const versionInputs = () => document.querySelectorAll('input[name="version"]');
  // The edit version this page's forms carry. It moves only with this page's own saves, so a save
  // made elsewhere meanwhile is still caught as a conflict by the next form posted from here.
  let pageVersion = versionInputs().length ? Number(versionInputs()[0].value) : null;

  function setVersion(version) {
    pageVersion = version;
    for (const input of versionInputs()) input.value = String(version);
  }

  function announce(claim, fresh) {
    const messages = [...fresh.querySelectorAll(".messages li")];
    const text = messages.map((item) => item.textContent.trim()).join(" ");
    const failed = messages.some((item) => item.classList.contains("error"));
    let note = claim && claim.querySelector(".inplace-status");
    if (claim && !note) {
      note = document.createElement("p");
      note.className = "inplace-status";
      claim.querySelector(".citations").after(note);
    }
    if (note) {
      note.textContent = text;
      note.classList.toggle("error", failed);
    }
    const live = document.getElementById("live-status");
    if (live) live.textContent = text;
  }

  // Bring up to date what a citation changes: every claim's citations (numbers follow the first
  // citation in reading order, so one citation can renumber them all), the checklist and the
  // references' "cited" marks, or the whole reference list when a reference joined it.
  function refresh(fresh) {
    const gathered = document.getElementById("gathered");
    const freshGathered = fresh.getElementById("gathered");
    const ids = (list) => [...list.querySelectorAll("li[id]")].map((item) => item.id).join(" ");
    if (gathered && freshGathered && ids(gathered) !== ids(freshGathered)) {
      gathered.replaceWith(document.adoptNode(freshGathered));
    }
    for (const part of document.querySelectorAll("[data-refresh]")) {
      const replacement = fresh.getElementById(part.id);
      if (replacement) part.replaceWith(document.adoptNode(replacement));
    }
    for (const claim of document.querySelectorAll(".w-claim[id]")) {
      const newer = fresh.getElementById(claim.id);
      if (newer) claim.classList.toggle("uncited", newer.classList.contains("uncited"));
    }
  }

  async function post(form, submitter) {
    const claim = form.closest(".w-claim");
    const sent = pageVersion;
    form.elements.version.value = String(sent);
    const body = new FormData(form);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    if (submitter) submitter.disabled = true;
    let fresh;
    try {
      const response = await fetch(target(form), { method: "POST", body, credentials: "same-origin" });
      fresh = response.ok ? parse(await response.text()) : null;
    } catch {
      fresh = null;
    }
    if (submitter) submitter.disabled = false;
    if (!fresh || !fresh.querySelector(".editor")) {
      // Let the server answer as it would without JavaScript: a conflict, a login page, an error.
      if (form.isConnected) HTMLFormElement.prototype.submit.call(form);
      else window.location.reload();
      return;
    }
    const removedWithIt = claim && submitter && claim.querySelector(".citations").contains(submitter);
    refresh(fresh);
    // The parts just taken from the server carry its version; keep every form on this page's.
    const version = fresh.querySelector('input[name="version"]');
    const moved = version && Number(version.value) === sent + 1;
    setVersion(moved ? sent + 1 : pageVersion);
    announce(claim, fresh);
    // Keep the keyboard where it was: on the Cite button, or on "Cite a reference…" when the × that
    // was pressed went with the old list. Never take focus from somewhere the person moved it to.
    const lost = !document.activeElement || document.activeElement === document.body;
    if (removedWithIt && lost) claim.querySelector(".cite-open")?.focus();
    else if (submitter && submitter.isConnected && lost) submitter.focus();
  }

  async function showPicker(claim, url) {
    let fresh;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      fresh = response.ok ? parse(await response.text()) : null;
    } catch {
      fresh = null;
    }
    const picker = fresh && fresh.getElementById(claim.id)?.querySelector(".cite-picker");
    if (!picker) {
      window.location.assign(url);
      return;
    }
    for (const input of picker.querySelectorAll('input[name="version"]')) input.value = String(pageVersion);
    for (const open of document.querySelectorAll(".cite-picker")) open.remove();
    claim.querySelector(".citations").after(document.adoptNode(picker));
    history.replaceState(null, "", url);
    picker.querySelector('input[type="search"]')?.focus();
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.cite-open");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    showPicker(link.closest(".w-claim"), link.href);
  });

  // One change at a time, each sent with the version the one before left, as a person clicking
  // "Cite" twice quickly would expect; the second waits for the first instead of conflicting with it.
  let sending = Promise.resolve();

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("form[data-inplace]") && pageVersion !== null) {
      event.preventDefault();
      const submitter = event.submitter;
      sending = sending.then(() => post(form, submitter));
    } else if (form.matches(".cite-picker form[method='get']")) {
      event.preventDefault();
      const url = target(form);
      url.search = new URLSearchParams(new FormData(form)).toString();
      showPicker(form.closest(".w-claim"), url.href);
    }
  });
})();
