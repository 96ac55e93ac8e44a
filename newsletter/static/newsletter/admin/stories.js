/*
 * The issue's stories on its edit page (newsletter/storypanel.py) and the story chooser's
 * modal (newsletter/views/story_chooser.py). Loaded as the panel's and the widget's media,
 * after Wagtail's core.js and chooser-widget-telepath.js; no inline script.
 *
 * - newsletter.StoryChooser: Wagtail's chooser widget (telepath), whose modal is also told the
 *   issue's date and the articles already among the stories (in_issue), so it can mark them
 *   and say how many more fit.
 * - story-chooser (the modal's form): "You can add N more"; once N are ticked the other boxes
 *   are disabled; the ticked articles are sent in the order they were ticked (ticked=...).
 * - story-rows (the stories panel): each row's header shows the article's headline and the
 *   email's headline, a Draft badge while the article is not live, "Move to top", and the
 *   note once ten stories are in.
 */
(() => {
  'use strict';

  if (window.newsletterStoriesLoaded) return;
  window.newsletterStoriesLoaded = true;

  const STORIES_PREFIX = 'stories';

  /** The article ids of the stories in the form, in rank order (deleted rows left out). */
  function storyArticleIds(prefix = STORIES_PREFIX) {
    const list = document.getElementById(`id_${prefix}-FORMS`);
    if (!list) return [];
    return [...list.querySelectorAll(':scope > [data-inline-panel-child]:not(.deleted)')]
      .map((row) => {
        const rowPrefix = row.id.replace('inline_child_', '');
        const input = document.getElementById(`id_${rowPrefix}-article`);
        return input ? input.value : '';
      })
      .filter((value) => value);
  }

  // The widget: Wagtail's chooser, with the issue's date and stories in the modal's address.
  const Chooser = window.telepath && window.telepath.constructors['wagtail.admin.widgets.Chooser'];
  if (Chooser) {
    class StoryChooser extends Chooser {
      getModalOptions() {
        const options = super.getModalOptions() || {};
        const filters = { ...(options.linkedFieldFilters || {}) };
        const issueDate = document.getElementById('id_issue_date');
        if (issueDate && issueDate.value) filters.issue_date = issueDate.value;
        filters.in_issue = storyArticleIds().join(',');
        return { ...options, linkedFieldFilters: filters };
      }
    }
    window.telepath.register('newsletter.StoryChooser', StoryChooser);
  }

  // The stories panel as the editor's telepath unpacks it (see StoriesPanel in storypanel.py):
  // Wagtail's InlinePanel, which leaves the rows' controls to the panel's own script.
  const InlinePanel = window.telepath && window.telepath.constructors['wagtail.panels.InlinePanel'];
  if (InlinePanel) window.telepath.register('newsletter.panels.StoriesPanel', InlinePanel);

  const { Controller } = window.StimulusModule;

  class StoryChooserController extends Controller {
    static targets = ['choice', 'message', 'order'];

    static values = { remaining: Number };

    initialize() {
      this.ticked = [];
    }

    connect() {
      this.update();
    }

    /** A box was ticked or unticked: remember the order. */
    tick(event) {
      const box = event.target;
      if (!box.matches('[data-multiple-choice-select]')) return;
      this.ticked = this.ticked.filter((id) => id !== box.value);
      if (box.checked) this.ticked.push(box.value);
      this.update();
    }

    /** A new page of results (search, next page): keep what was ticked. */
    choiceTargetConnected(box) {
      if (this.ticked.includes(box.value)) box.checked = true;
      if (this.element.isConnected) this.update();
    }

    update() {
      const left = this.remainingValue - this.ticked.length;
      const full = left <= 0;
      this.choiceTargets.forEach((box) => {
        if (box.hasAttribute('data-in-issue')) return;
        // eslint-disable-next-line no-param-reassign
        box.disabled = full && !box.checked;
      });
      if (this.hasOrderTarget) {
        this.orderTarget.replaceChildren(
          ...this.ticked.map((id) => {
            const input = document.createElement('input');
            input.type = 'hidden';
            input.name = 'ticked';
            input.value = id;
            return input;
          }),
        );
      }
      if (this.hasMessageTarget) {
        const stories = (n) => (n === 1 ? '1 more story' : `${n} more stories`);
        let text;
        if (this.remainingValue <= 0) {
          text = 'Ten stories are in. Remove one to add another.';
        } else if (full) {
          text = `You can add ${stories(this.remainingValue)} (an issue has ten): all are ticked. Untick one to choose another.`;
        } else {
          text = `You can add ${stories(this.remainingValue)} (an issue has ten).`;
          if (this.ticked.length) text += ` ${this.ticked.length} ticked.`;
        }
        this.messageTarget.textContent = text;
      }
    }
  }

  class StoryRowsController extends Controller {
    static targets = ['row', 'full'];

    static values = { prefix: String, max: Number };

    connect() {
      this.observer = new MutationObserver(() => this.refreshSoon());
      this.observer.observe(this.element, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['value', 'class'],
      });
      this.handler = () => this.refreshSoon();
      ['input', 'change', 'w-formset:added', 'w-formset:removed', 'w-formset:ready'].forEach(
        (name) => this.element.addEventListener(name, this.handler),
      );
      this.refresh();
    }

    disconnect() {
      this.observer.disconnect();
    }

    refreshSoon() {
      if (this.pending) return;
      this.pending = true;
      window.requestAnimationFrame(() => {
        this.pending = false;
        this.refresh();
      });
    }

    liveRows() {
      const list = document.getElementById(`id_${this.prefixValue}-FORMS`);
      return list ? [...list.querySelectorAll(':scope > [data-inline-panel-child]:not(.deleted)')] : [];
    }

    refresh() {
      const rows = this.liveRows();
      rows.forEach((row, index) => {
        const prefix = row.id.replace('inline_child_', '');
        const title = row.querySelector('[data-chooser-title]');
        const article = document.getElementById(`id_${prefix}-article`);
        const override = document.getElementById(`id_${prefix}-headline`);
        setText(row.querySelector('[data-story-row-headline]'), title ? title.textContent.trim() : '');
        setText(
          row.querySelector('[data-story-row-override]'),
          override && override.value.trim() ? `In the email: “${override.value.trim()}”` : '',
        );
        const draft = row.querySelector('[data-story-row-draft]');
        if (draft) {
          const isDraft = article && article.value && article.value === draft.dataset.draftArticle;
          if (draft.hidden === Boolean(isDraft)) draft.hidden = !isDraft;
        }
        const top = row.querySelector('[data-story-row-move-top]');
        if (top && top.disabled !== (index === 0)) top.disabled = index === 0;
      });
      if (this.hasFullTarget) {
        const full = rows.length >= this.maxValue;
        if (this.fullTarget.hidden === full) this.fullTarget.hidden = !full;
      }
    }

    /** "Move to top": the row becomes story 1, the others keep their order below it. */
    moveToTop(event) {
      const row = event.target.closest('[data-inline-panel-child]');
      const list = row && row.parentElement;
      if (!list) return;
      list.prepend(row);
      this.liveRows().forEach((each, index) => {
        const prefix = each.id.replace('inline_child_', '');
        const order = each.querySelector(`input[name="${prefix}-ORDER"]`);
        if (order) order.value = index + 1;
        const count = each.querySelector('[data-inline-panel-child-count]');
        if (count) count.textContent = ` ${index + 1}`;
        const up = each.querySelector('[data-inline-panel-child-move-up]');
        const down = each.querySelector('[data-inline-panel-child-move-down]');
        if (up) up.disabled = index === 0;
        if (down) down.disabled = index === this.liveRows().length - 1;
      });
      this.refresh();
      const down = row.querySelector('[data-inline-panel-child-move-down]');
      if (down) down.focus();
      row.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  function setText(element, text) {
    // Only when it differs: the rows' observer would otherwise see its own writes.
    // eslint-disable-next-line no-param-reassign
    if (element && element.textContent !== text) element.textContent = text;
  }

  window.wagtail.app.register('story-chooser', StoryChooserController);
  window.wagtail.app.register('story-rows', StoryRowsController);
})();
