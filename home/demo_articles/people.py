"""The demo's writers and the outlets its photos and stories credit."""

LISA, TOMAS, PRIYA = "Lisa Marchetti", "Tomás Okafor", "Priya Raman"

CNN = ("cnn.com", "https://edition.cnn.com/")
REUTERS = ("reuters.com", "https://www.reuters.com/")
AP = ("apnews.com", "https://apnews.com/")
BBC = ("bbc.co.uk", "https://www.bbc.co.uk/news")
