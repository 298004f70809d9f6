# Worker classes for a real `sidekiq -r ./sidekiq_worker.rb` process (testkit's Sidekiq.startWorker).
# QBRIDGE_WORKER_CLASSES: classes whose jobs append {"jid", "class", "args"} as one JSON line to QBRIDGE_RECORD_FILE;
# QBRIDGE_FAILING_CLASSES: classes whose jobs always raise (they go to the retry set, or dead with retry: 0).
require "json"
require "sidekiq"

RECORD_FILE = ENV.fetch("QBRIDGE_RECORD_FILE")

Sidekiq.configure_server do |config|
  config.redis = { url: ENV.fetch("REDIS_URL") }
  # Due scheduled and retry jobs are enqueued within a second or so, not after Sidekiq's default 5 to 15 seconds.
  Sidekiq.options[:poll_interval_average] = 1
  # Sidekiq logs "Starting processing" only on a terminal: this line tells the fixture that it runs.
  config.on(:startup) { Sidekiq.logger.info("qbridge worker started") }
end

ENV.fetch("QBRIDGE_WORKER_CLASSES", "").split(",").each do |name|
  Object.const_set(name, Class.new do
    include Sidekiq::Worker

    def perform(*args)
      line = JSON.generate({ "jid" => jid, "class" => self.class.name, "args" => args })
      # One write under a lock per job: concurrent threads never interleave their lines.
      File.open(RECORD_FILE, "a") do |file|
        file.flock(File::LOCK_EX)
        file.puts(line)
      end
    end
  end)
end

ENV.fetch("QBRIDGE_FAILING_CLASSES", "").split(",").each do |name|
  Object.const_set(name, Class.new do
    include Sidekiq::Worker

    def perform(*args)
      raise "#{self.class.name} fails on purpose (a testkit failing class)"
    end
  end)
end
