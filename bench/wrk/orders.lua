-- POST …/orders with a new order id each time, spread over TALLY_CUSTOMERS customers (or, with
-- TALLY_NEW_CUSTOMERS=1, each for a customer never seen: enrolment, signup and purchase points).
local thread_id = 0
local n = 0
local customers = tonumber(os.getenv("TALLY_CUSTOMERS") or "1000")
local path = os.getenv("TALLY_ORDERS_PATH")
local key = os.getenv("TALLY_SECRET_KEY")
local run = os.getenv("TALLY_RUN") or tostring(os.time())
local counter = 0
local new_customers = os.getenv("TALLY_NEW_CUSTOMERS") == "1"

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function request()
  n = n + 1
  local customer = string.format("c%d", (n * 7919 + thread_id) % customers)
  if new_customers then
    customer = string.format("new-%s-%d-%d", run, thread_id, n)
  end
  local body = string.format(
    '{"order_id":"bench-%s-%d-%d","customer_id":"%s","total_minor":%d,"currency":"USD"}',
    run, thread_id, n, customer, 1000 + (n % 50) * 100)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key,
  }, body)
end
-- wrk reports "Non-2xx or 3xx responses" itself; bench/api subtracts them from the acknowledged orders.
