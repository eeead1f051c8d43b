#!/usr/bin/env bash
# Resolves the class paths of the original MetaQ 1.4.6.2 jars from Maven Central, outside the
# project's build (their log4j 1.x, commons-logging and zkclient are banned there):
#   client   -> metamorphosis-client only (the compatibility suite's driver programs)
#   server   -> metamorphosis-server + client (the original broker, -Dimago.it.target=metaq)
# Usage: metaq-classpath.sh client|server OUTPUT_FILE
set -euo pipefail
kind="${1:?usage: metaq-classpath.sh client|server OUTPUT_FILE}"
out="${2:?usage: metaq-classpath.sh client|server OUTPUT_FILE}"
case "$kind" in
  client) artifacts=(metamorphosis-client) ;;
  server) artifacts=(metamorphosis-server metamorphosis-client) ;;
  *) echo "unknown kind '$kind' (client|server)" >&2; exit 2 ;;
esac
# Already resolved, and every jar still there: nothing to do.
if [[ -s "$out" ]] && grep -q "metamorphosis-client-1.4.6.2.jar" "$out" \
    && tr ':' '\n' < "$out" | while read -r jar; do [[ -f "$jar" ]] || exit 1; done; then
  echo "$out is up to date"
  exit 0
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
{
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
  echo '<groupId>scratch</groupId><artifactId>metaq-classpath</artifactId><version>1</version><packaging>pom</packaging>'
  echo '<dependencies>'
  for a in "${artifacts[@]}"; do
    echo "<dependency><groupId>com.taobao.metamorphosis</groupId><artifactId>$a</artifactId><version>1.4.6.2</version></dependency>"
  done
  echo '</dependencies></project>'
} > "$scratch/pom.xml"
mkdir -p "$(dirname "$out")"
(cd "$scratch" && "${MVN:-mvn}" -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile="$scratch/classpath.txt")
mv "$scratch/classpath.txt" "$out"
echo "wrote $out"
