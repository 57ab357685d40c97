"""The Permissions-Policy as Chromium reads it (ASVS 10.2.2): the header
parses without a console error, camera, microphone and location are refused
to the page (a location asked for is denied though the browser granted it),
and what the web UI uses (the video player's fullscreen and
picture-in-picture, security keys) still works."""

from __future__ import annotations

from playwright.async_api import expect

FEATURES = """async () => {
  const allows = (name) => document.featurePolicy.allowsFeature(name);
  let place;
  await new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    () => { place = "granted"; resolve(); }, (err) => { place = err.code; resolve(); }));
  return {
    camera: allows("camera"), microphone: allows("microphone"), geolocation: allows("geolocation"),
    payment: allows("payment"), usb: allows("usb"), fullscreen: allows("fullscreen"),
    pip: allows("picture-in-picture"), webauthn: allows("publickey-credentials-get"),
    fullscreenEnabled: document.fullscreenEnabled, pictureInPictureEnabled: document.pictureInPictureEnabled,
    place,
  };
}"""


async def test_the_page_gets_only_the_features_it_uses(browser, chatd_server):
    context = await browser.new_context(base_url=chatd_server.url)
    # Granted to the context, so only the page's policy can refuse them.
    await context.grant_permissions(["geolocation"])
    await context.set_geolocation({"latitude": 52.5, "longitude": 13.4})
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    try:
        await page.goto("/")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        found = await page.evaluate(FEATURES)
    finally:
        await context.close()
    assert not [m for m in console if "Permissions-Policy header" in m], console
    assert found == {"camera": False, "microphone": False, "geolocation": False, "payment": False, "usb": False,
                     "fullscreen": True, "pip": True, "webauthn": True, "fullscreenEnabled": True, "pictureInPictureEnabled": True,
                     "place": 1}, found  # 1: PERMISSION_DENIED
