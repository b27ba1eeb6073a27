// Compiles Asio, Asio SSL and Beast once for the whole program (BOOST_ASIO_SEPARATE_COMPILATION
// and BOOST_BEAST_SEPARATE_COMPILATION are set on credpool_http): see cpp-deps.md §4.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
