#!/bin/sh
# Installs the real mail servers the integration tests talk to (aiosmtpd for
# SMTP, Dovecot for IMAP/LMTP, openssl for test certificates). Debian/Ubuntu,
# run as root (or with passwordless sudo). Idempotent: a no-op when all
# packages are already present, so tests may call it on every run.
set -eu

PACKAGES="python3-aiosmtpd dovecot-core dovecot-imapd dovecot-lmtpd openssl"

missing=""
for p in $PACKAGES; do
    # dpkg-query prints "install ok installed" only for fully configured packages.
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install.sh: need root to install:$missing" >&2
        exit 1
    fi
fi

# Installing dovecot-core on a machine with an init system would start a
# system Dovecot listening on every interface. A policy-rc.d that exits 101
# forbids that; any existing policy is put back afterwards.
POLICY=/usr/sbin/policy-rc.d
SAVED=""
if [ -e "$POLICY" ]; then
    SAVED="$POLICY.intro-tests-saved.$$"
    $SUDO mv "$POLICY" "$SAVED"
fi
restore_policy() {
    $SUDO rm -f "$POLICY"
    if [ -n "$SAVED" ]; then $SUDO mv "$SAVED" "$POLICY"; fi
}
trap restore_policy EXIT
trap 'exit 1' INT TERM HUP
printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
$SUDO chmod 755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
echo "install.sh: installing:$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
