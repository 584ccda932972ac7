from flaskstarter.cli import main

main()
