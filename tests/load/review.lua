-- wrk script: POSTs the AdmissionReview in $REVIEW_FILE over and over.
-- When $STOP_FILE exists, each thread stops after its current response:
-- a client that stops sending when the readiness probe flips, as the
-- endpoints controller makes the API server do.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("REVIEW_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()

local stop_file = os.getenv("STOP_FILE")
local bad = 0

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  if stop_file then
    local s = io.open(stop_file, "r")
    if s then
      s:close()
      wrk.thread:stop()
    end
  end
end
