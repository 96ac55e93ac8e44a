/*
 * The editor's own Save never races Wagtail's autosave (core/editing.py).
 *
 * Wagtail 8 autosaves half a second after each change. Pressed within that half second, or
 * while an autosave is on its way, "Save draft" or "Publish" went to the server beside the
 * autosave; the server could store the autosave after the editor's version, and the reloaded
 * editor then warned "You saved a new version in another window" about the editor's own save.
 *
 * So when the edit form is submitted: autosave stops for the rest of this page (the page
 * reloads after a save anyway), the session pings pause, an autosave still waiting for its
 * half second is dropped, and one already sent finishes before the Save goes, pressed again
 * for the editor once it has.
 */
(() => {
    const EDIT_FORM = "form[data-edit-form]";
    const controller = (element, identifier) =>
        element && window.wagtail?.app?.getControllerForElementAndIdentifier(element, identifier);

    // The autosave's last "save" event: prevented, it is skipped when its half second is up.
    let lastAutosave = null;
    document.addEventListener("w-autosave:save", (event) => {
        if (event.target.matches(EDIT_FORM)) lastAutosave = event;
    });

    // On the window, so it runs after the form's own submit handlers and sees their verdict.
    window.addEventListener("submit", (event) => {
        const form = event.target;
        if (event.defaultPrevented || !form.matches(EDIT_FORM)) return;
        const autosave = controller(form, "w-autosave");
        if (!autosave) return;
        autosave.activeValue = false;
        lastAutosave?.preventDefault();
        controller(document.querySelector("[data-controller~='w-session']"), "w-session")?.pause();
        const inFlight = autosave.submitPromise;
        if (!inFlight) return;
        event.preventDefault();
        const button = event.submitter;
        inFlight.finally(() => {
            if (button) {
                // "Saving…" again once clicked; Stimulus re-enables it only after a tick.
                controller(button, "w-progress")?.deactivate();
                button.disabled = false;
                button.click();
            } else {
                form.requestSubmit();
            }
        });
    });
})();
