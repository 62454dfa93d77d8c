-- wrk script: POSTs the AdmissionReview in $REVIEW_FILE at a fixed rate.
-- Each connection waits about $PACE_MS milliseconds (default 10) before each
-- request, so C connections offer about C * 1000 / PACE_MS reviews/s, less
-- the time each review takes: -c10 gives about 1000/s.  The wait is drawn
-- uniformly from 0.5x to 1.5x PACE_MS so that the connections do not fire in
-- lock-step bursts (the API server's calls do not arrive in phase either).
-- wrk times each request from its write to the end of its response, so the
-- wait is not counted as latency.
-- Without $REVIEW_FILE it GETs the URL instead (the /healthz floor).
local review = os.getenv("REVIEW_FILE")
if review and review ~= "" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local f = assert(io.open(review, "rb"))
  wrk.body = f:read("*a")
  f:close()
end

local pace = tonumber(os.getenv("PACE_MS") or "10")

local n = 0
function setup(thread)
  n = n + 1
  thread:set("thread_id", n)
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function delay()
  return math.floor(pace * (0.5 + math.random()) + 0.5)
end
