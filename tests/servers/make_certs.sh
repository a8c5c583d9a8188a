#!/bin/sh
# Makes throwaway TLS material for the test mail servers in OUTDIR:
#   ca.pem / ca.key          test CA that clients under test are told to trust
#   server.pem / server.key  leaf for localhost + 127.0.0.1, signed by that CA
#   other-ca.pem             an unrelated CA, for "untrusted certificate" tests
# rustls rejects a self-signed CA certificate used directly as a server
# certificate, and requires a subjectAltName, hence the separate CA and leaf.
# Skips the work when the files already exist, and is safe to run from
# several test processes at once (they share one OUTDIR).
set -eu

OUT=${1:?usage: make_certs.sh OUTDIR}
mkdir -p "$OUT"
cd "$OUT"

complete() {
    [ -s server.pem ] && [ -s ca.pem ] && [ -s server.key ] && [ -s other-ca.pem ]
}
complete && exit 0

# Serialise generators; a second one finds the work done once it gets the lock.
exec 9>.lock
flock 9
complete && exit 0

# EC P-256 keys: generated in milliseconds (RSA takes noticeably longer) and
# accepted by rustls, OpenSSL and Python's ssl module alike.
newkey="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

# Work in a private folder; results are renamed into place with server.pem
# last, so a reader that sees server.pem sees the complete set.
WORK=".work.$$"
rm -rf "$WORK"
mkdir "$WORK"
cd "$WORK"

ca_cert() { # $1 = basename, $2 = common name
    # shellcheck disable=SC2086
    openssl req -x509 $newkey -days 3650 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$1.key" -out "$1.pem" 2>/dev/null
}

ca_cert ca "intro test CA"
ca_cert other-ca "intro unrelated CA"

# shellcheck disable=SC2086
openssl req $newkey -subj "/CN=localhost" \
    -keyout server.key -out server.csr 2>/dev/null
cat > server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 3650 -extfile server.ext -out server.pem 2>/dev/null
# Servers run as root here, but keep the key readable so that unprivileged
# test runs can use the same files.
chmod 644 server.key

cd ..
for f in ca.key ca.pem other-ca.pem server.key server.pem; do
    mv -f "$WORK/$f" "$f"
done
rm -rf "$WORK"
