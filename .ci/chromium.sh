# Sourced by .ci/run: Debian's headless Chromium for the browser tests (tests/test_web_browser.py,
# driven by Playwright with executable_path=/usr/bin/chromium; never `playwright install`), and CJK
# fonts so Chinese renders in screenshots. Skips the install when /usr/bin/chromium exists.
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
