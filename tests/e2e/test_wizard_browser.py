"""A new user completes the wizard in Chromium with JavaScript on and off, uses Back and reload,
closes the tab and carries on from the edit link in another browser context."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from ..helpers import STEP_ANSWERS as ANSWERS
from .axe import assert_accessible


def fill_step(page: Page, step: str) -> None:
    """Answer one step with the controls a person would use (a question the page does not show is skipped: it
    does not apply, or it is asked on the next page)."""
    for name, value in ANSWERS[step].items():
        first = page.locator(f'input[name="{name}"]').first
        if not first.is_visible():
            continue
        if isinstance(value, list):
            for option in value:
                page.check(f'input[name="{name}"][value="{option}"]')
        elif first.get_attribute("type") == "radio":
            page.check(f'input[name="{name}"][value="{value}"]')
        else:
            page.fill(f'input[name="{name}"]', value)


def save(page: Page, next_step: str) -> None:
    """Press "Save and continue" and wait for the next step's URL. A page that asks one more question (without
    JavaScript: answers on it made a question apply) is saved again with that question left "Not sure"."""
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(f"/{next_step}$|[?&]more=1$"))
    if page.url.endswith("more=1"):
        expect(page.locator(".notice")).to_contain_text("one more question")
        save(page, next_step)


def begin(page: Page, base: str) -> str:
    """Start from the landing page; returns the edit link."""
    page.goto(base + "/")
    page.get_by_label("Team name").fill("Support platform")
    page.get_by_label("Use case").fill("Replies sound robotic")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/a/[^/]+/problem$"))
    return page.url.rsplit("/", 1)[0]


def run_wizard(page: Page, base: str, shot, *, js: bool) -> str:
    """Complete every step with Back, Forward and a reload along the way; returns the edit link."""
    edit = begin(page, base)
    shot(page, "problem")
    fill_step(page, "problem")
    save(page, "tried")
    if js:
        expect(page.locator("h1")).to_be_focused()
        expect(page).to_have_title(re.compile("Step 2 of 5"))
    page.go_back()
    page.wait_for_url(re.compile("/problem$"))
    expect(page.locator('input[name="failure_mode"][value="breaks_repeatedly"]')).to_be_checked()
    page.go_forward()
    page.wait_for_url(re.compile("/tried$"))
    expect(page.locator("h1")).to_have_text("What you have tried")
    fill_step(page, "tried")
    save(page, "data")
    fill_step(page, "data")
    page.fill('input[name="labeled_examples"]', "lots")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error:"))
    shot(page, "error")
    page.fill('input[name="labeled_examples"]', "500")
    save(page, "output")
    page.reload()
    expect(page.locator("h1")).to_have_text("Output and scale")
    fill_step(page, "output")
    save(page, "constraints")
    fill_step(page, "constraints")
    save(page, "review")
    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.get_by_text("500 examples")).to_be_visible()
    shot(page, "review")
    return edit


def test_complete_with_javascript(browser: Browser, live_server: str, shot) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.add_init_script("document.addEventListener('securitypolicyviolation', "
                         "e => console.error('CSP violation', e.violatedDirective, e.sourceFile))")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    edit = run_wizard(page, live_server, shot, js=True)
    page.get_by_role("button", name="Get the recommendation").click()
    page.wait_for_url(re.compile("/done$|/r/"))
    shot(page, "finished")
    context.close()
    assert not [e for e in errors if "CSP" in e or "Content Security Policy" in e or "Refused" in e], errors
    other = browser.new_context().new_page()
    other.goto(edit)
    expect(other).to_have_url(re.compile("/review$"))
    other.goto(edit + "/data")
    expect(other.locator('input[name="labeled_examples"]')).to_have_value("500")


def test_complete_without_javascript(browser: Browser, live_server: str, shot) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    run_wizard(page, live_server, shot, js=False)
    page.get_by_role("button", name="Get the recommendation").click()
    page.wait_for_url(re.compile("/done$|/r/"))


def test_close_the_tab_and_carry_on_elsewhere(browser: Browser, live_server: str) -> None:
    first = browser.new_context().new_page()
    edit = begin(first, live_server)
    fill_step(first, "problem")
    save(first, "tried")
    first.context.close()
    second = browser.new_context().new_page()
    second.goto(edit)
    expect(second).to_have_url(re.compile("/tried$"))
    second.get_by_role("link", name="Back").click()
    expect(second.locator('input[name="gap_types"][value="behavior"]')).to_be_checked()


def open_data_step(page: Page, base: str) -> str:
    """Answer the first two steps (behaviour, not knowledge, is the gap) and open the data step."""
    edit = begin(page, base)
    for step, following in (("problem", "tried"), ("tried", "data")):
        fill_step(page, step)
        save(page, following)
    return edit


def test_questions_that_do_not_apply_follow_the_answers_with_javascript(browser: Browser, live_server: str) -> None:
    page = browser.new_context().new_page()
    open_data_step(page, live_server)
    quality, churn = page.locator("#q-label_quality"), page.locator("#q-knowledge_churn")
    expect(quality).to_be_hidden()
    expect(churn).to_be_hidden()
    page.fill('input[name="labeled_examples"]', "1.5k")
    expect(quality).to_be_visible()
    page.fill('input[name="labeled_examples"]', "0")
    expect(quality).to_be_hidden()
    page.check('input[name="knowledge_volume"][value="fits_in_prompt"]')
    expect(churn).to_be_visible()
    assert_accessible(page, "the data step with a question shown by an answer")
    page.check('input[name="knowledge_volume"][value="none"]')
    expect(churn).to_be_hidden()
    page.check('input[name="knowledge_volume"][value="unknown"]')
    expect(churn).to_be_visible()  # "Not sure" rules nothing out
    page.check('input[name="knowledge_volume"][value="none"]')
    page.check('input[name="raw_domain_text"][value="none"]')
    page.check('input[name="citations_required"][value="no"]')
    save(page, "output")
    expect(page.locator("h1")).to_have_text("Output and scale")


def test_without_javascript_no_dead_control_and_the_server_skips(browser: Browser, live_server: str) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    edit = open_data_step(page, live_server)
    expect(page.locator("[data-copy]")).to_be_hidden()  # "Copy link" needs JavaScript: not shown without it
    expect(page.locator("#edit-link")).to_be_visible()  # the link itself is there to select and copy
    expect(page.locator("#q-label_quality")).to_be_hidden()
    page.fill('input[name="labeled_examples"]', "0")
    page.check('input[name="knowledge_volume"][value="none"]')
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile("/output$"))
    page.goto(edit + "/data")
    page.fill('input[name="labeled_examples"]', "250")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/data\?more=1$"))  # the server asks the question that now applies
    expect(page.locator(".notice")).to_contain_text("one more question")
    expect(page.locator("#q-label_quality")).to_be_visible()
    page.check('input[name="label_quality"][value="mixed"]')
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile("/output$"))


def test_change_returns_to_check_answers_with_and_without_javascript(browser: Browser, live_server: str) -> None:
    for js in (True, False):
        page = browser.new_context(java_script_enabled=js).new_page()
        begin(page, live_server)
        steps = list(ANSWERS)
        for index, step in enumerate(steps):
            fill_step(page, step)
            save(page, steps[index + 1] if index + 1 < len(steps) else "review")
        page.get_by_role("link", name="Change how strict and stable is the required output?").click()
        page.wait_for_url(re.compile(r"/output\?return=review"))
        page.check('input[name="format_strictness"][value="strict_stable"]')
        page.get_by_role("button", name="Save and return to check answers").click()
        page.wait_for_url(re.compile("/review$"))
        expect(page.get_by_text("Strict and stable: an exact format every time")).to_be_visible()
        page.context.close()
