#!/usr/bin/env bash
# Resolves the class path of a Kafka 4.1.1 broker (kafka_2.13 with its runtime dependencies, plus the
# log4j2 binding for the SLF4J 1.7 API the server logs through) from Maven Central, outside the
# project's build: the broker's jars (Scala, commons-logging, log4j2, old Jackson) never enter this
# build's dependency tree. io.imago.bench.compare.KafkaPeer starts `kafka.Kafka` with it.
# Usage: kafka-classpath.sh OUTPUT_FILE
set -euo pipefail
out="${1:?usage: kafka-classpath.sh OUTPUT_FILE}"
kafka_version=4.1.1
# The log4j2 version kafka-server 4.1.1 depends on; log4j-slf4j-impl binds SLF4J 1.7 (Kafka's) to it.
log4j_version=2.24.3
# Already resolved, and every jar still there: nothing to do.
if [[ -s "$out" ]] && grep -q "kafka_2.13-$kafka_version.jar" "$out" \
    && grep -q "log4j-slf4j-impl-$log4j_version.jar" "$out" \
    && tr ':' '\n' < "$out" | while read -r jar; do [[ -f "$jar" ]] || exit 1; done; then
  echo "$out is up to date"
  exit 0
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cat > "$scratch/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>scratch</groupId><artifactId>kafka-classpath</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>
<dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$kafka_version</version></dependency>
<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$log4j_version</version><scope>runtime</scope></dependency>
</dependencies></project>
POM
mkdir -p "$(dirname "$out")"
(cd "$scratch" && "${MVN:-mvn}" -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$scratch/classpath.txt")
mv "$scratch/classpath.txt" "$out"
echo "wrote $out"
