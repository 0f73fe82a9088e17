// Boost.Asio and Boost.Beast, included the one way that compiles here: Boost 1.74 with g++ 12 in
// C++20 mode needs <utility> before any Asio header (boost/asio/awaitable.hpp uses
// std::exchange). Include this header instead of any Boost.Asio or Boost.Beast header.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

namespace landslide {

// The short names every user of Asio and Beast in the project uses.
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

}  // namespace landslide
