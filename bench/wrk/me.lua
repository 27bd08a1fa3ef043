-- GET …/me for many signed shoppers in turn. Reads TALLY_TOKENS (lines: path<TAB>customer<TAB>ts<TAB>sig).
local tokens = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("TALLY_TOKENS")) do
    local path, customer, ts, sig = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
    tokens[#tokens + 1] = wrk.format("GET", path, {
      ["X-Tally-Customer"] = customer, ["X-Tally-Timestamp"] = ts, ["X-Tally-Signature"] = sig,
    })
  end
  -- Threads start at different places so they do not walk the same customers in step.
  i = math.random(#tokens)
end

function request()
  i = i % #tokens + 1
  return tokens[i]
end
