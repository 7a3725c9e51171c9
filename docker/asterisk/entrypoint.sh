#!/bin/sh
# Render the project's Asterisk templates into /etc/asterisk, as src/pbx/asterisk/render-config.ts
# does for tests: every {{NAME}} takes AST_NAME (or a loopback default); a placeholder without a
# value, or a value with a newline or ';', stops the container instead of starting an open PBX.
set -eu

: "${AST_HTTP_BIND:=127.0.0.1}" "${AST_HTTP_PORT:=8088}" "${AST_ARI_USER:=switchboard}" "${AST_ARI_APP:=switchboard}"
: "${AST_SIP_BIND:=127.0.0.1}" "${AST_SIP_PORT:=5060}" "${AST_TRUNK_MATCH:=127.0.0.1}" "${AST_TRUNK_CONTACT:=sip:127.0.0.1:5080}"
: "${AST_RTP_START:=10000}" "${AST_RTP_END:=10999}" "${AST_TRUNK_CONNECTED_LINE:=no}"
AST_DIR_ETC=/etc/asterisk AST_DIR_MOD=/usr/lib/asterisk/modules AST_DIR_VARLIB=/var/lib/asterisk AST_DIR_DB=/var/lib/asterisk
AST_DIR_DATA=/var/lib/asterisk AST_DIR_SPOOL=/var/spool/asterisk AST_DIR_RUN=/var/run/asterisk AST_DIR_LOG=/var/log/asterisk
AST_DIR_CACHE=/var/cache/asterisk AST_DIR_SBIN=/usr/sbin

mkdir -p /etc/asterisk /var/spool/asterisk/recording /var/run/asterisk /var/log/asterisk /var/cache/asterisk
for src in /templates/asterisk-conf/*.conf /templates/dialplan/*.conf; do
  out="/etc/asterisk/$(basename "$src")"
  cp "$src" "$out.tmp"
  for name in $(grep -o '{{[A-Z_]*}}' "$src" | tr -d '{}' | sort -u); do
    eval "value=\${AST_$name:-}"
    if [ -z "$value" ]; then echo "asterisk-conf: $(basename "$src"): no value for {{$name}} (set AST_$name)" >&2; exit 1; fi
    case "$value" in *"
"*|*";"*) echo "asterisk-conf: AST_$name contains a newline or ';'" >&2; exit 1 ;; esac
    escaped=$(printf '%s' "$value" | sed 's/[|&\\]/\\&/g')
    sed -i "s|{{$name}}|$escaped|g" "$out.tmp"
  done
  mv "$out.tmp" "$out"
done

# Our synthesized prompts (shared volume from the engine image) under each language's sounds dir.
for lang in en es; do
  if [ -d "/prompts/switchboard/$lang" ]; then
    mkdir -p "/var/lib/asterisk/sounds/$lang"
    ln -sfn "/prompts/switchboard/$lang" "/var/lib/asterisk/sounds/$lang/switchboard"
  fi
done
exec "$@"
