print("extend")
