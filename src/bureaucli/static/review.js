// `bureau review` in the browser: keyboard navigation, the scan beside its text, saving.
// Shortcuts go by the key's place (event.code), so they work the same in a Russian keyboard layout.
// Every write is a JSON POST with the session's token in a header; the server answers 409 while
// a `bureau run` holds the workspace ("busy, try again").
"use strict";

const token = document.querySelector('meta[name="bureau-token"]').content;
const SCREEN_WIDTH = 1400; // the width of the first image the server sends (review_page.SCREEN_WIDTH)

function flash(message, kind) {
  const out = document.getElementById("flash");
  out.textContent = message;
  out.className = kind || "";
}

async function post(url, data) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Bureau-Token": token },
    body: JSON.stringify(data),
  });
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

let reloading = false;

function reloadWith(message) {
  reloading = true; // what was saved is not lost: no "leave the page?" question
  sessionStorage.setItem("bureau-flash", message);
  location.reload();
}

function editing(target) {
  return target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
}

async function accept(file) {
  try {
    await post("/api/accept", { file });
    reloadWith(`Accepted ${file}`);
  } catch (error) {
    flash(error.message, "error");
  }
}

// --- the queue -------------------------------------------------------------------------------------

function setupQueue() {
  const rows = [...document.querySelectorAll("#queue tr.entry")];
  let current = rows.length ? 0 : -1;
  const show = (k) => {
    rows.forEach((row) => row.classList.remove("current"));
    if (k < 0) return;
    current = Math.max(0, Math.min(rows.length - 1, k));
    rows[current].classList.add("current");
    rows[current].scrollIntoView({ block: "nearest" });
  };
  show(current);
  document.addEventListener("keydown", (event) => {
    if (editing(event.target) || event.ctrlKey || event.metaKey || event.altKey || current < 0) return;
    const row = rows[current];
    if (event.code === "KeyJ") show(current + 1);
    else if (event.code === "KeyK") show(current - 1);
    else if ((event.key === "Enter" || event.code === "KeyO") && row.dataset.href) location.href = row.dataset.href;
    else if (event.code === "KeyA" && row.dataset.accept) accept(row.dataset.accept);
    else return;
    event.preventDefault();
  });
  rows.forEach((row, k) => row.addEventListener("click", () => show(k)));
}

// --- the page view ---------------------------------------------------------------------------------

function setupPage() {
  const main = document.querySelector("main.review");
  const frame = document.querySelector(".frame");
  const lines = () => [...document.querySelectorAll("#lines .line")];
  const original = lines().map((line) => line.textContent).join("\n");
  let zoom = 1;

  // the screen-sized image first; the full one once the frame is drawn wider than that
  function sharpEnough(img) {
    const wide = frame.getBoundingClientRect().width * devicePixelRatio > SCREEN_WIDTH;
    return wide || img.getAttribute("src") === img.dataset.full ? img.dataset.full : img.dataset.screen;
  }

  function layoutFrame() {
    if (!frame) return;
    const viewport = frame.parentElement;
    const width = Number(frame.dataset.width), height = Number(frame.dataset.height);
    const shown = (viewport.clientWidth - 2) * zoom;
    frame.style.width = `${shown}px`;
    frame.style.height = `${(shown * height) / width}px`;
    const img = frame.querySelector("img.scan-image:not([hidden])");
    if (img && img.getAttribute("src") !== sharpEnough(img)) img.src = sharpEnough(img);
  }

  function setView(name) {
    frame.querySelectorAll("img.scan-image").forEach((img) => {
      const on = img.dataset.view === name;
      if (on) img.src = sharpEnough(img);
      img.hidden = !on;
    });
    // Boxes are where OCR read them, on the deskewed page; on the page as captured they turn with it.
    const skew = Number(frame.dataset.skew) || 0;
    const boxes = document.getElementById("boxes");
    if (name === "captured" && skew) {
      boxes.setAttribute("transform", `rotate(${-skew} ${frame.dataset.width / 2} ${frame.dataset.height / 2})`);
    } else boxes.removeAttribute("transform");
  }

  function activate(lineIndex, scroll) {
    document.querySelectorAll(".active").forEach((el) => el.classList.remove("active"));
    const line = lines()[lineIndex];
    if (!line) return;
    line.classList.add("active");
    const ocr = line.dataset.ocr;
    if (ocr !== "" && frame) {
      const box = frame.querySelector(`rect.ocr-line[data-ocr="${ocr}"]`);
      box.classList.add("active");
      if (scroll) box.scrollIntoView({ block: "center", inline: "nearest" });
    }
  }

  function focusOcrLine(ocr) {
    const k = lines().findIndex((line) => line.dataset.ocr === String(ocr));
    if (k < 0) return flash("this line of the scan is not in the text any more");
    activate(k, false);
    lines()[k].focus();
    lines()[k].scrollIntoView({ block: "center" });
  }

  function showCase(form) {
    document.querySelectorAll("form.case.active").forEach((f) => f.classList.remove("active"));
    document.querySelectorAll("rect.case, rect.name").forEach((r) => r.classList.remove("case", "name"));
    if (!form) return;
    form.classList.add("active");
    if (!frame) return;
    const covered = form.dataset.lines.split(" ").filter(Boolean).map((k) => lines()[Number(k)]);
    covered.forEach((line) => {
      if (line && line.dataset.ocr !== "") frame.querySelector(`rect.ocr-line[data-ocr="${line.dataset.ocr}"]`).classList.add("case");
    });
    form.dataset.words.split(" ").filter(Boolean).forEach((k) => frame.querySelector(`rect.word[data-word="${k}"]`).classList.add("name"));
    const first = frame.querySelector("rect.name, rect.case");
    if (first) first.scrollIntoView({ block: "center", inline: "nearest" });
  }

  // line editing: Enter splits a line, Backspace at its start joins it to the one before, arrows move
  function caretOffset(line) {
    const selection = getSelection();
    if (!selection.rangeCount) return 0;
    const range = selection.getRangeAt(0).cloneRange();
    range.selectNodeContents(line);
    range.setEnd(selection.getRangeAt(0).endContainer, selection.getRangeAt(0).endOffset);
    return range.toString().length;
  }
  function placeCaret(line, offset) {
    line.focus();
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let node, left = offset;
    while ((node = walker.nextNode())) {
      if (left <= node.length) {
        getSelection().collapse(node, left);
        return;
      }
      left -= node.length;
    }
    getSelection().collapse(line, line.childNodes.length);
  }
  function newLine(after, text) {
    const line = after.cloneNode(false);
    line.textContent = text;
    line.dataset.ocr = "";
    line.classList.remove("active");
    after.after(line);
    return line;
  }
  function markDirty(line) {
    line.classList.add("dirty");
  }

  const container = document.getElementById("lines");
  container.addEventListener("keydown", (event) => {
    const line = event.target.closest(".line");
    if (!line || event.ctrlKey || event.metaKey) return;
    const offset = caretOffset(line);
    const text = line.textContent;
    if (event.key === "Enter") {
      line.textContent = text.slice(0, offset);
      placeCaret(newLine(line, text.slice(offset)), 0);
      markDirty(line);
    } else if (event.key === "Backspace" && offset === 0 && getSelection().isCollapsed && line.previousElementSibling) {
      const before = line.previousElementSibling;
      const at = before.textContent.length;
      before.textContent += text;
      line.remove();
      placeCaret(before, at);
      markDirty(before);
    } else if (event.key === "ArrowUp" && line.previousElementSibling) {
      placeCaret(line.previousElementSibling, Math.min(offset, line.previousElementSibling.textContent.length));
    } else if (event.key === "ArrowDown" && line.nextElementSibling) {
      placeCaret(line.nextElementSibling, Math.min(offset, line.nextElementSibling.textContent.length));
    } else return;
    event.preventDefault();
  });
  container.addEventListener("input", (event) => markDirty(event.target.closest(".line")));
  container.addEventListener("focusin", (event) => {
    const line = event.target.closest(".line");
    if (line) activate(lines().indexOf(line), true);
  });
  if (frame) {
    frame.querySelector("svg").addEventListener("click", (event) => {
      const rect = event.target.closest("rect");
      if (rect) focusOcrLine(rect.dataset.ocr);
    });
  }

  function text() {
    return lines().map((line) => line.textContent).join("\n");
  }
  async function saveText() {
    if (text() === original) return false;
    flash("saving the text and reading the document again…");
    const answer = await post(main.dataset.save, { text: text() });
    reloadWith(`Saved ${answer.saved}; ${answer.cases} case(s) on this page now`);
    return true;
  }

  function formValues(form) {
    const values = {};
    for (const element of form.elements) {
      if (!element.name) continue;
      if (element.multiple) values[element.name] = [...element.selectedOptions].map((o) => o.value);
      else if (element.type === "checkbox") values[element.name] = element.checked;
      else values[element.name] = element.value;
    }
    return values;
  }
  const forms = [...document.querySelectorAll("form.case")];
  const saved = new Map(forms.map((form) => [form, JSON.stringify(formValues(form))]));
  async function saveCase(form) {
    const answer = await post(form.dataset.save, { fields: formValues(form) });
    saved.set(form, JSON.stringify(formValues(form)));
    form.classList.remove("dirty");
    return answer.changed;
  }
  forms.forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const changed = await saveCase(form);
        flash(changed.length ? `Saved ${changed.join(", ")} to data/corrections/cases.csv` : "Nothing changed", "done");
      } catch (error) {
        flash(error.message, "error");
      }
    });
    form.addEventListener("input", () => form.classList.toggle("dirty", saved.get(form) !== JSON.stringify(formValues(form))));
    form.addEventListener("focusin", () => showCase(form));
    form.addEventListener("click", () => showCase(form));
    form.querySelector("button.split").addEventListener("click", () => person(form, "split", ""));
    form.querySelector("button.merge").addEventListener("click", () => person(form, "merge", form.querySelector("input.other").value));
  });
  async function person(form, action, other) {
    try {
      const answer = await post(form.dataset.person, { action, other });
      flash(`Wrote ${action} to ${answer.saved}; \`bureau run\` links the persons again`, "done");
    } catch (error) {
      flash(error.message, "error");
    }
  }
  document.querySelectorAll("#lines mark").forEach((mark) =>
    mark.addEventListener("click", () => showCase(document.getElementById(`case-${mark.dataset.case}`))),
  );

  async function saveAll() {
    try {
      const dirty = forms.filter((form) => saved.get(form) !== JSON.stringify(formValues(form)));
      const changed = [];
      for (const form of dirty) changed.push(...(await saveCase(form)));
      if (await saveText()) return;
      flash(changed.length ? `Saved ${changed.join(", ")} to data/corrections/cases.csv` : "Nothing to save", "done");
    } catch (error) {
      flash(error.message, "error");
    }
  }
  document.getElementById("save-text").addEventListener("click", saveAll);

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.code === "KeyS") {
      event.preventDefault();
      saveAll();
      return;
    }
    if (editing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const go = (id) => {
      const link = document.getElementById(id);
      if (link) location.href = link.href;
    };
    if (event.code === "KeyJ") go("next-entry");
    else if (event.code === "KeyK") go("prev-entry");
    else if (event.code === "KeyA") {
      const button = document.querySelector("#text button.accept");
      if (button) accept(button.dataset.file);
    } else if (event.key === "+" || event.key === "=") setZoom(zoom * 1.25);
    else if (event.key === "-") setZoom(zoom / 1.25);
    else return;
    event.preventDefault();
  });
  window.addEventListener("beforeunload", (event) => {
    if (!reloading && text() !== original) event.preventDefault();
  });

  function setZoom(value) {
    zoom = Math.max(0.5, Math.min(8, value));
    layoutFrame();
  }
  if (frame) {
    document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
    document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
    frame.parentElement.addEventListener("wheel", (event) => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      setZoom(zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1));
    }, { passive: false });
    document.querySelectorAll('input[name="view"]').forEach((radio) => radio.addEventListener("change", () => setView(radio.value)));
    document.getElementById("show-words").addEventListener("change", (event) => frame.classList.toggle("no-words", !event.target.checked));
    window.addEventListener("resize", layoutFrame);
    layoutFrame();
  }
  document.querySelectorAll("#text button.accept").forEach((button) => button.addEventListener("click", () => accept(button.dataset.file)));
  const hash = location.hash.match(/^#case-(.+)$/);
  if (hash) showCase(document.getElementById(`case-${hash[1]}`));
}

document.addEventListener("DOMContentLoaded", () => {
  const message = sessionStorage.getItem("bureau-flash");
  if (message) {
    sessionStorage.removeItem("bureau-flash");
    flash(message, "done");
  }
  document.querySelectorAll("#queue button.accept").forEach((button) => button.addEventListener("click", () => accept(button.dataset.file)));
  if (document.body.classList.contains("queue")) setupQueue();
  if (document.body.classList.contains("page")) setupPage();
});
