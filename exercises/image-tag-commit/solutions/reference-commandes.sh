# Construire une image interactivement : un shell dans un conteneur debian
docker run -it --name atelier debian
<<< echo "Bonjour depuis mon image" > /bonjour.txt
<<< exit
docker diff atelier
docker commit atelier debian_bonjour
docker tag debian_bonjour debian_bonjour:v1
docker images
docker run --rm debian_bonjour:v1 cat /bonjour.txt
