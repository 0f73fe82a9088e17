// Time: the wall clock (SystemClock: RFC 3339 formatting and parsing in UTC, for what people and
// the API see) and the monotonic clock (SteadyClock: durations, deadlines, timings).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace landslide {

using SystemClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;
using TimePoint = std::chrono::time_point<SystemClock, std::chrono::microseconds>;

TimePoint Now();
// "2016-11-08T14:03:07.123Z" (milliseconds, always UTC).
std::string FormatRfc3339(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)".
std::optional<TimePoint> ParseRfc3339(std::string_view text);

// Seconds from `start` until now, on the monotonic clock.
double SecondsSince(SteadyClock::time_point start);

}  // namespace landslide
