docker build .
docker run bonjour
docker run bonjour Docker
