/**
 * JUnit 5 fixtures that run real Redis for tests: {@link dev.qbridge.testkit.RedisServer} (one redis-server
 * process), {@link dev.qbridge.testkit.RedisCluster} (3 masters formed with redis-cli), their per-class extensions
 * {@link dev.qbridge.testkit.RedisServerExtension} and {@link dev.qbridge.testkit.RedisClusterExtension}, and
 * {@link dev.qbridge.testkit.JavaProcess} to run and kill -9 a child JVM in crash tests.
 *
 * <p>Which Redis runs: {@code REDIS_SERVER} if set, else {@code redis-server} on the PATH, else the Redis 6.2
 * binary inside embedded-redis (no LMPOP, no Functions), else the {@code redis:7} image if a Docker engine is up.
 * Every server binds 127.0.0.1 on a free port with a fresh temp dir that is deleted on close. Tests of one class
 * share one server and must not run concurrently with each other: the extension flushes it before each test.
 */
package dev.qbridge.testkit;
