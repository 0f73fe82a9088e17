// Small text helpers shared by every layer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace landslide {

// `text` on one line, for a log line or an error message: trailing blanks and line ends dropped,
// the line ends inside turned into spaces, cut to `max` characters.
std::string OneLine(std::string_view text, size_t max = std::string::npos);

// `text` cut to `max` bytes with every byte outside printable ASCII replaced by '?': safe to
// echo untrusted input (a path, a query key) into a JSON body or a log line.
std::string PrintableAscii(std::string_view text, size_t max);

}  // namespace landslide
