#!/bin/sh
# An unmodified program: it knows nothing about the CAS. It prints what it received, showing
# secrets only as SHA-256 hashes, and checks the issued certificate against the session's CA.
sha() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi
}
echo "hello: argv: $0 $*"
echo "hello: pwd: $(pwd)"
echo "hello: GREETING=$GREETING"
echo "hello: DB_PASSWORD sha256=$(printf '%s' "$DB_PASSWORD" | sha)"
echo "hello: host variable HOME is ${HOME:-<not set: the host environment was discarded>}"
[ -n "$CONFIG_DIR" ] || exit 0
for f in "$CONFIG_DIR"/*; do
  [ -f "$f" ] || continue
  mode=$(stat -c %a "$f" 2>/dev/null || stat -f %Lp "$f")
  echo "hello: file $(basename "$f") mode=$mode sha256=$(sha < "$f")"
done
if command -v openssl >/dev/null 2>&1; then
  echo "hello: openssl verify: $(openssl verify -CAfile "$CONFIG_DIR/ca.crt" "$CONFIG_DIR/server.crt" 2>&1)"
fi
