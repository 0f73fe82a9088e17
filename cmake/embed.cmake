# Turns a file into a C++ translation unit defining `extern const std::string_view SYMBOL`.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" len)
math(EXPR bytes "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE "${OUT}" "#include <string_view>\nnamespace landslide::embedded {\nstatic const char data[] = {${body} 0};\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL}(data, ${bytes});\n}\n")
