docker run -d redis
docker exec redis redis-cli set cle 42
