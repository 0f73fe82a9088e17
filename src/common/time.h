// Wall-clock helpers: RFC 3339 formatting and parsing in UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace landslide {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::microseconds>;

TimePoint Now();
// "2016-11-08T14:03:07.123Z" (milliseconds, always UTC).
std::string FormatRfc3339(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)".
std::optional<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace landslide
