# Evaluates Ruby with Sidekiq's own API (Sidekiq::Queue, RetrySet, ScheduledSet, DeadSet...) and prints the value
# as "RESULT <json>" (testkit's Sidekiq.api). Usage: REDIS_URL=redis://... ruby sidekiq_api.rb 'RUBY EXPRESSION'
require "json"
require "sidekiq"
require "sidekiq/api"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }

puts "RESULT #{JSON.generate(eval(ARGV.fetch(0)))}"
