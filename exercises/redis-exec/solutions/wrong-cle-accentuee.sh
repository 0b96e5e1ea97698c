jean@portable:~$ docker run -d --name redis redis
d87afef9e736f80d927d21928c3311a6939eb0ff72e97214f4c665cbabec67f0
jean@portable:~$ docker exec -it redis redis-cli
127.0.0.1:6379> set clé 42
OK
127.0.0.1:6379> get clé
"42"
127.0.0.1:6379> exit
jean@portable:~$
