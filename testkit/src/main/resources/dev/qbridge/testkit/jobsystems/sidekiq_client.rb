# Enqueues jobs with Sidekiq's own client, the way an application does (testkit's Sidekiq.enqueue).
# Usage: REDIS_URL=redis://... ruby sidekiq_client.rb SPECS_JSON_FILE
# Each spec: {"class": "AddWorker", "args": [...]} with optional "queue", "retry" (Worker.set), "in" (seconds:
# perform_in, the schedule set) and "fields" (more job fields: Sidekiq::Client.push). Prints "ENQUEUED <jid>" each.
require "json"
require "sidekiq"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }

def worker_class(name)
  return Object.const_get(name) if Object.const_defined?(name)
  Object.const_set(name, Class.new { include Sidekiq::Worker })
end

JSON.parse(File.read(ARGV.fetch(0))).each do |spec|
  args = spec.fetch("args")
  jid = if spec["fields"]
    item = { "class" => spec.fetch("class"), "args" => args }.merge(spec["fields"])
    item["queue"] = spec["queue"] if spec["queue"]
    item["retry"] = spec["retry"] if spec.key?("retry")
    item["at"] = Time.now.to_f + spec["in"] if spec["in"]
    Sidekiq::Client.push(item)
  else
    options = {}
    options[:queue] = spec["queue"] if spec["queue"]
    options[:retry] = spec["retry"] if spec.key?("retry")
    target = options.empty? ? worker_class(spec.fetch("class")) : worker_class(spec.fetch("class")).set(options)
    spec["in"] ? target.perform_in(spec["in"], *args) : target.perform_async(*args)
  end
  raise "Sidekiq's client pushed nothing for #{spec}" unless jid
  puts "ENQUEUED #{jid}"
end
