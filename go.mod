module github.com/moodlemig/moodlemig

go 1.26
